package dev.stevedore.audit.ingest;

import dev.stevedore.audit.store.StoredEvent;
import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.DeployCancelled;
import dev.stevedore.common.event.DeployEvent;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.EventDecodingException;
import dev.stevedore.common.event.HostVersion;
import dev.stevedore.common.event.RolloutEvent;
import dev.stevedore.common.event.RolloutHalted;
import dev.stevedore.common.event.RolloutRolledBack;
import dev.stevedore.common.event.RolloutStarted;
import dev.stevedore.common.event.RolloutState;
import dev.stevedore.common.event.RolloutSucceeded;
import dev.stevedore.common.event.RolloutSuperseded;
import dev.stevedore.common.event.RolloutWave;
import dev.stevedore.common.event.RolloutWaveFinished;
import dev.stevedore.common.event.RolloutWaveStarted;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.event.VersionUnblocked;
import dev.stevedore.common.security.EventVerifier;
import dev.stevedore.common.security.RequestVerifier;

/**
 * Turns a record's bytes into an event ready to store, or says why it cannot be stored. Beyond
 * the codec's checks, the audit store bounds the identifiers it indexes (longer ones cannot be
 * keys in every database), and keeps heartbeats and deployment events on their topics.
 */
public final class RecordDecoder {
  /** Longest event id, deployment id, host, service or environment the store indexes. */
  public static final int MAX_KEY_LENGTH = 255;

  /**
   * Either {@code event} or {@code reason} is set; neither for a tombstone of a compacted topic
   * (a lifted block), which is no event: it is neither stored nor dead-lettered.
   */
  public record Decoded(StoredEvent event, String reason) {
    public static final Decoded TOMBSTONE = new Decoded(null, null);

    public boolean ok() {
      return event != null;
    }

    public boolean tombstone() {
      return event == null && reason == null;
    }
  }

  private final EventCodec codec;
  private final EventVerifier verifier;
  private final RequestVerifier trigger;

  public RecordDecoder(EventCodec codec) {
    this(codec, new EventVerifier(java.util.List.of(), codec));
  }

  /** @param verifier checks agent events against the trusted agent keys; failures are flagged, not refused */
  public RecordDecoder(EventCodec codec, EventVerifier verifier) {
    this(codec, verifier, null);
  }

  /**
   * @param trigger checks what the trigger signs (requests, cancellations, unblocks, blocks and
   *     rollout events) against the
   *     trusted trigger keys; failures are flagged, not refused; {@code null}: not checked
   */
  public RecordDecoder(EventCodec codec, EventVerifier verifier, RequestVerifier trigger) {
    this.codec = codec;
    this.verifier = verifier;
    this.trigger = trigger;
  }

  public Decoded decode(byte[] value) {
    StevedoreEvent event;
    try {
      event = codec.decode(value);
    } catch (EventDecodingException e) {
      return new Decoded(null, e.getMessage());
    } catch (RuntimeException e) {
      return new Decoded(null, "undecodable: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    String tooLong = tooLong(event);
    if (tooLong != null) {
      return new Decoded(null, "field '" + tooLong + "' longer than " + MAX_KEY_LENGTH + " characters");
    }
    byte[] canonical;
    try {
      canonical = codec.canonicalBytes(event);
    } catch (RuntimeException e) {
      return new Decoded(null, "cannot canonicalize: " + e.getMessage());
    }
    return new Decoded(new StoredEvent(event, canonical, unverified(event)), null);
  }

  /** Why the event is not believed, or {@code null}. */
  private String unverified(StevedoreEvent event) {
    if (trigger != null) {
      String rejection = null;
      if (event instanceof DeployRequested r) {
        rejection = trigger.rejection(r);
      } else if (event instanceof DeployCancelled c) {
        rejection = trigger.rejection(c);
      } else if (event instanceof VersionUnblocked u) {
        rejection = trigger.rejection(u);
      } else if (event instanceof VersionBlocked b) {
        rejection = trigger.rejection(b);
      } else if (event instanceof RolloutEvent r) {
        rejection = rolloutRejection(r);
      }
      if (rejection != null) {
        return "trigger signature: " + rejection;
      }
    }
    EventVerifier.Verdict verdict = verifier.verify(event);
    return verdict.verified() ? null : verdict.reason();
  }

  private String rolloutRejection(RolloutEvent r) {
    if (r instanceof RolloutStarted e) {
      return trigger.rejection(e);
    } else if (r instanceof RolloutWaveStarted e) {
      return trigger.rejection(e);
    } else if (r instanceof RolloutWaveFinished e) {
      return trigger.rejection(e);
    } else if (r instanceof RolloutHalted e) {
      return trigger.rejection(e);
    } else if (r instanceof RolloutSucceeded e) {
      return trigger.rejection(e);
    } else if (r instanceof RolloutRolledBack e) {
      return trigger.rejection(e);
    } else if (r instanceof RolloutSuperseded e) {
      return trigger.rejection(e);
    } else if (r instanceof RolloutState e) {
      return trigger.rejection(e);
    }
    return "not a known rollout event";
  }

  private static String tooLong(StevedoreEvent event) {
    if (event.id().length() > MAX_KEY_LENGTH) {
      return "id";
    }
    if (event instanceof AgentHeartbeat h) {
      return longer("host", h.host(), "environment", h.environment(), null, null);
    }
    if (event instanceof AgentEvent a && a.host().length() > MAX_KEY_LENGTH) {
      return "host";
    }
    if (event instanceof RolloutEvent r) {
      String field = longer("rolloutId", r.rolloutId(), "environment", r.environment(), "service", r.service());
      return field != null ? field : longer("version", r.version(), "host", longestHost(r), null, null);
    }
    if (event instanceof VersionBlocked b) {
      return longer("rolloutId", b.rolloutId(), "environment", b.environment(), "service", b.service());
    }
    if (!(event instanceof DeployEvent d)) {
      return null;
    }
    if (d.deploymentId().length() > MAX_KEY_LENGTH) {
      return "deploymentId";
    }
    return null;
  }

  /** The longest host name a rollout event lists (the rollout projection keys rows by host). */
  private static String longestHost(RolloutEvent r) {
    java.util.List<String> names = new java.util.ArrayList<>();
    if (r instanceof RolloutStarted e) {
      e.waves().stream().map(RolloutWave::hosts).forEach(names::addAll);
      names.addAll(e.unreached());
    } else if (r instanceof RolloutWaveStarted e) {
      names.addAll(e.hosts());
    } else if (r instanceof RolloutWaveFinished e) {
      names.addAll(e.succeeded());
      names.addAll(e.failed());
      names.addAll(e.skipped());
      names.addAll(e.unreached());
    } else if (r instanceof RolloutHalted e) {
      names.addAll(e.failed());
      e.rollbacks().stream().map(HostVersion::host).forEach(names::add);
      e.rollbacks().stream().map(HostVersion::version).forEach(names::add);
    } else if (r instanceof RolloutSucceeded e) {
      names.addAll(e.succeeded());
      names.addAll(e.failed());
      names.addAll(e.skipped());
      names.addAll(e.unreached());
    } else if (r instanceof RolloutRolledBack e) {
      names.addAll(e.failed());
      e.rolledBack().stream().map(HostVersion::host).forEach(names::add);
      e.rolledBack().stream().map(HostVersion::version).forEach(names::add);
    }
    String longest = null;
    for (String n : names) {
      if (longest == null || n.length() > longest.length()) {
        longest = n;
      }
    }
    return longest;
  }

  private static String longer(String n1, String v1, String n2, String v2, String n3, String v3) {
    if (v1 != null && v1.length() > MAX_KEY_LENGTH) {
      return n1;
    }
    if (v2 != null && v2.length() > MAX_KEY_LENGTH) {
      return n2;
    }
    if (v3 != null && v3.length() > MAX_KEY_LENGTH) {
      return n3;
    }
    return null;
  }
}
