package dev.stevedore.audit.ingest;

import dev.stevedore.audit.store.StoredEvent;
import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.DeployCancelled;
import dev.stevedore.common.event.DeployEvent;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.EventDecodingException;
import dev.stevedore.common.event.StevedoreEvent;
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

  /** Either {@code event} or {@code reason} is set. */
  public record Decoded(StoredEvent event, String reason) {
    public boolean ok() {
      return event != null;
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
   * @param trigger checks what the trigger signs (requests, cancellations, unblocks) against the
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
      }
      if (rejection != null) {
        return "trigger signature: " + rejection;
      }
    }
    EventVerifier.Verdict verdict = verifier.verify(event);
    return verdict.verified() ? null : verdict.reason();
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
    DeployEvent d = (DeployEvent) event;
    if (d.deploymentId().length() > MAX_KEY_LENGTH) {
      return "deploymentId";
    }
    return null;
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
