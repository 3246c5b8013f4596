package dev.stevedore.audit;

import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.security.AgentTrust;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit service's typed configuration (defaults in {@code audit-defaults.yml}, then a YAML
 * file, then {@code STEVEDORE_*} environment variables; see docs/configuration.md (audit service)).
 */
public record AuditConfig(Http http, KafkaSettings kafka, Ingest ingest, Database database, Auth auth, Api api,
                          AgentTrust agents, Trigger trigger) {

  public AuditConfig(Http http, KafkaSettings kafka, Ingest ingest, Database database, Auth auth, Api api) {
    this(http, kafka, ingest, database, auth, api, AgentTrust.none(), null);
  }

  public AuditConfig(Http http, KafkaSettings kafka, Ingest ingest, Database database, Auth auth, Api api,
      AgentTrust agents) {
    this(http, kafka, ingest, database, auth, api, agents, null);
  }

  public AuditConfig {
    http = http == null ? new Http(null, 0) : http;
    if (kafka == null) {
      throw new IllegalArgumentException("kafka is required");
    }
    ingest = ingest == null ? new Ingest(null, 0, 0, 0, 0, false, 0) : ingest;
    database = database == null ? new Database(null, null, null, null, 0, 0, 0) : database;
    auth = auth == null ? new Auth(null, null) : auth;
    api = api == null ? new Api(0, 0, 0) : api;
    agents = agents == null ? AgentTrust.none() : agents;
    trigger = trigger == null ? new Trigger(null) : trigger;
  }

  /**
   * The trigger public keys whose signatures are believed on what the trigger publishes
   * ({@code deploy.requested}, {@code deploy.cancelled}, {@code version.unblocked}); each entry one
   * PEM {@code PUBLIC KEY} block ({@code trustedKeysFile}: one entry per block). Empty: not checked.
   */
  public record Trigger(List<String> trustedKeys) {
    public Trigger {
      trustedKeys = trustedKeys == null ? List.of()
          : trustedKeys.stream().filter(k -> k != null && !k.isBlank()).toList();
    }

    /** The verifier for these keys, or {@code null} when none are configured; a clear error for a bad key. */
    public dev.stevedore.common.security.RequestVerifier verifier(dev.stevedore.common.event.EventCodec codec) {
      if (trustedKeys.isEmpty()) {
        return null;
      }
      List<java.security.PublicKey> keys = new ArrayList<>();
      for (int i = 0; i < trustedKeys.size(); i++) {
        try {
          keys.add(dev.stevedore.common.security.Ed25519Keys.publicKeyFromPem(trustedKeys.get(i)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("trigger.trustedKeys[" + i + "]: " + e.getMessage(), e);
        }
      }
      return new dev.stevedore.common.security.RequestVerifier(keys, codec);
    }
  }

  /** HTTP listener; port 0 picks a free port. */
  public record Http(String host, int port) {
    public Http {
      host = host == null || host.isBlank() ? "0.0.0.0" : host;
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("http.port must be 0..65535");
      }
    }
  }

  /**
   * The Kafka consumer side.
   *
   * @param groupId one group for every instance of the service
   * @param batchSize at most this many records per poll, stored in one transaction
   * @param retryDelayMs wait between database probes while the consumer is paused
   * @param lagIntervalMs how often the consumer lag gauge is refreshed
   * @param createTopics create missing Stevedore topics at start (single-broker set-ups, tests)
   */
  public record Ingest(String groupId, int batchSize, int pollTimeoutMs, int retryDelayMs,
                       int lagIntervalMs, boolean createTopics, int topicPartitions) {
    public Ingest {
      groupId = groupId == null || groupId.isBlank() ? "stevedore-audit" : groupId;
      batchSize = batchSize <= 0 ? 1000 : Math.min(batchSize, 10_000);
      pollTimeoutMs = pollTimeoutMs <= 0 ? 500 : pollTimeoutMs;
      retryDelayMs = retryDelayMs <= 0 ? 1000 : retryDelayMs;
      lagIntervalMs = lagIntervalMs <= 0 ? 10_000 : lagIntervalMs;
      topicPartitions = topicPartitions <= 0 ? 3 : topicPartitions;
    }
  }

  /**
   * The store: a SQLite file at {@code sqlitePath} unless {@code url} names another JDBC
   * database (PostgreSQL: {@code jdbc:postgresql://host:port/db}).
   *
   * @param breakerOpenMs how long the "database" circuit breaker stays open before a probe
   */
  public record Database(String url, String sqlitePath, String user, String password, int poolSize,
                         int connectionTimeoutMs, int breakerOpenMs) {
    public Database {
      sqlitePath = sqlitePath == null || sqlitePath.isBlank() ? "data/audit.db" : sqlitePath;
      url = url == null || url.isBlank() ? "jdbc:sqlite:" + sqlitePath : url;
      if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException("database.url must be jdbc:sqlite:... or jdbc:postgresql:...");
      }
      user = user == null ? "" : user;
      password = password == null ? "" : password;
      poolSize = poolSize <= 0 ? 4 : poolSize;
      connectionTimeoutMs = connectionTimeoutMs <= 0 ? 3000 : Math.max(250, connectionTimeoutMs);
      breakerOpenMs = breakerOpenMs <= 0 ? 2000 : breakerOpenMs;
    }

    public boolean sqlite() {
      return url.startsWith("jdbc:sqlite:");
    }

    @Override
    public String toString() {
      return "Database[url=" + url + ", user=" + user + ", password=" + (password.isEmpty() ? "(none)" : "***") + "]";
    }
  }

  /**
   * Bearer tokens of the role {@code reader} (the query API). {@code readerToken} is a single
   * token (settable from a file with {@code STEVEDORE_AUTH_READER_TOKEN_FILE}); {@code readerTokens}
   * a list (comma-separated in {@code STEVEDORE_AUTH_READER_TOKENS}).
   */
  public record Auth(String readerToken, List<String> readerTokens) {
    /** Every reader token is at least this long; a shorter one is a start-up error. */
    public static final int MIN_TOKEN_LENGTH = 16;

    public Auth {
      readerToken = readerToken == null ? "" : readerToken;
      readerTokens = readerTokens == null ? List.of() : List.copyOf(readerTokens);
      for (String token : all(readerToken, readerTokens)) {
        if (token.length() < MIN_TOKEN_LENGTH) {
          throw new IllegalArgumentException("an audit reader token (auth.readerToken or auth.readerTokens) is "
              + token.length() + " characters long; a token needs at least " + MIN_TOKEN_LENGTH
              + " (make one with: openssl rand -hex 32)");
        }
      }
    }

    public List<String> allReaderTokens() {
      return all(readerToken, readerTokens);
    }

    private static List<String> all(String readerToken, List<String> readerTokens) {
      List<String> all = new ArrayList<>();
      if (!readerToken.isBlank()) {
        all.add(readerToken);
      }
      readerTokens.stream().filter(t -> t != null && !t.isBlank()).forEach(all::add);
      return all;
    }

    @Override
    public String toString() {
      return "Auth[" + allReaderTokens().size() + " reader token(s)]";
    }
  }

  /**
   * Query API limits.
   *
   * @param staleAfterSeconds a host whose last heartbeat is older than this is flagged stale
   */
  public record Api(int defaultLimit, int maxLimit, int staleAfterSeconds) {
    public Api {
      maxLimit = maxLimit <= 0 ? 500 : maxLimit;
      defaultLimit = defaultLimit <= 0 ? 50 : Math.min(defaultLimit, maxLimit);
      staleAfterSeconds = staleAfterSeconds <= 0 ? 90 : staleAfterSeconds;
    }
  }
}
