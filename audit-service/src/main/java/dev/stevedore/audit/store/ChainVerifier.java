package dev.stevedore.audit.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Walks the hash chain from the first stored event to the chain head and reports the first
 * broken link: a missing row (a gap in seq or rows missing at the end), a row whose prev_hash is
 * not its predecessor's hash, or a row whose hash does not match its content. Streams the rows
 * (PostgreSQL: a cursor in a read-only transaction), so the walk needs no memory per row.
 * Blocking; call it on a worker thread.
 */
public final class ChainVerifier {
  private static final String HEAD = "SELECT seq, hash FROM chain_head WHERE id = 1";
  private static final String LINKS = "SELECT seq, event_id, payload, prev_hash, hash FROM events "
      + "WHERE seq <= ? ORDER BY seq";

  private final DataSource dataSource;
  private final Dialect dialect;

  public ChainVerifier(DataSource dataSource, Dialect dialect) {
    this.dataSource = dataSource;
    this.dialect = dialect;
  }

  /** One stored event as the chain sees it. */
  private record Link(long seq, String eventId, String payload, String prevHash, String hash) {
    static Link read(ResultSet rs) throws SQLException {
      return new Link(rs.getLong("seq"), rs.getString("event_id"), rs.getString("payload"), rs.getString("prev_hash"),
          rs.getString("hash"));
    }
  }

  /** The chain head: the last appended seq and its hash. */
  private record Head(long seq, String hash) {}

  public ChainReport verify() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      Head head;
      try (PreparedStatement ps = c.prepareStatement(HEAD); ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return ChainReport.broken(0, 0, null, 0, null, "chain head row missing");
        }
        head = new Head(rs.getLong("seq"), rs.getString("hash"));
      }
      boolean streaming = dialect == Dialect.POSTGRESQL;
      if (streaming) {
        c.setAutoCommit(false);
      }
      try (PreparedStatement ps = c.prepareStatement(LINKS)) {
        ps.setFetchSize(2000);
        ps.setLong(1, head.seq());
        try (ResultSet rs = ps.executeQuery()) {
          return walk(rs, head);
        }
      } finally {
        if (streaming) {
          c.rollback();
          c.setAutoCommit(true);
        }
      }
    }
  }

  private static ChainReport walk(ResultSet rs, Head head) throws SQLException {
    long expectedSeq = 1;
    String previous = HashChain.GENESIS;
    long checked = 0;
    while (rs.next()) {
      Link link = Link.read(rs);
      if (link.seq() != expectedSeq) {
        return ChainReport.broken(checked, head.seq(), head.hash(), expectedSeq, null,
            "event seq " + expectedSeq + (link.seq() - expectedSeq > 1 ? " to " + (link.seq() - 1) : "")
                + " missing (deleted); next stored is seq " + link.seq());
      }
      if (!previous.equals(link.prevHash())) {
        return ChainReport.broken(checked, head.seq(), head.hash(), link.seq(), link.eventId(),
            "prev_hash does not match the hash of seq " + (link.seq() - 1));
      }
      String actual = HashChain.next(previous, link.payload().getBytes(StandardCharsets.UTF_8));
      if (!actual.equals(link.hash())) {
        return ChainReport.broken(checked, head.seq(), head.hash(), link.seq(), link.eventId(),
            "content does not match its hash (row edited)");
      }
      previous = actual;
      expectedSeq++;
      checked++;
    }
    if (expectedSeq - 1 != head.seq()) {
      return ChainReport.broken(checked, head.seq(), head.hash(), expectedSeq, null,
          "chain head is seq " + head.seq() + " but the last stored event is seq " + (expectedSeq - 1)
              + " (events deleted at the end)");
    }
    if (!previous.equals(head.hash())) {
      return ChainReport.broken(checked, head.seq(), head.hash(), head.seq(), null,
          "chain head hash does not match the last event's hash");
    }
    return ChainReport.intact(checked, head.seq(), head.hash());
  }
}
