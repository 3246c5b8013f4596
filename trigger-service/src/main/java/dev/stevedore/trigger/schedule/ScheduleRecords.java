package dev.stevedore.trigger.schedule;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.common.runtime.JsonMappers;
import dev.stevedore.common.security.Ed25519Keys;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bytes of a schedule-topic record: an envelope {@code {"v":1,"payload":base64,"keyId","signature"}}
 * whose payload is the JSON of a {@link ScheduleChange}, signed (Ed25519) with the trigger's request
 * signing key. Readers take a record only when it is signed by a trusted key, fits in
 * {@link #MAX_BYTES}, decodes strictly, is complete, and carries the schedule whose id is the
 * record's key: a host that may write the topic but does not hold the trigger's key cannot add,
 * change or cancel a schedule (what it can still do is in docs/operations.md).
 */
public final class ScheduleRecords {
  /** Far more than a schedule needs (about 600 bytes); larger records are refused unread. */
  public static final int MAX_BYTES = 16 * 1024;
  static final int MAX_FIELD = 1024;

  /** Why a record was not taken. */
  public static final class Rejected extends Exception {
    public Rejected(String reason) {
      super(reason);
    }
  }

  record Envelope(@JsonProperty("v") int v, String payload, String keyId, String signature) {}

  private final ObjectMapper json = JsonMappers.events(false);
  private final PrivateKey signingKey;
  private final String keyId;
  private final Map<String, PublicKey> trusted = new HashMap<>();

  /** Signs with {@code keys} and trusts its public half only. */
  public ScheduleRecords(KeyPair keys) {
    this(keys, List.of(keys.getPublic()));
  }

  ScheduleRecords(KeyPair keys, List<PublicKey> trusted) {
    this.signingKey = keys.getPrivate();
    this.keyId = Ed25519Keys.keyId(keys.getPublic());
    trusted.forEach(k -> this.trusted.put(Ed25519Keys.keyId(k), k));
  }

  public byte[] encode(ScheduleChange change) {
    try {
      byte[] payload = json.writeValueAsBytes(change);
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(signingKey);
      signer.update(payload);
      Envelope envelope = new Envelope(1, Base64.getEncoder().encodeToString(payload), keyId,
          Base64.getEncoder().encodeToString(signer.sign()));
      return json.writeValueAsBytes(envelope);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot encode a schedule record", e);
    }
  }

  /** The change a record carries, or why it is not taken. */
  public ScheduleChange decode(String key, byte[] value) throws Rejected {
    if (value == null) {
      throw new Rejected("a tombstone (null value): the trigger never deletes a schedule");
    }
    if (value.length > MAX_BYTES) {
      throw new Rejected("oversized: " + value.length + " bytes (at most " + MAX_BYTES + ")");
    }
    if (key == null || key.isEmpty() || key.length() > MAX_FIELD) {
      throw new Rejected("no usable key");
    }
    Envelope envelope;
    try {
      envelope = json.readValue(value, Envelope.class);
    } catch (IOException e) {
      throw new Rejected("not a schedule record: " + firstLine(e.getMessage()));
    }
    if (envelope == null || envelope.v() != 1 || envelope.payload() == null || envelope.signature() == null
        || envelope.keyId() == null) {
      throw new Rejected("not a version 1 signed schedule record");
    }
    PublicKey key0 = trusted.get(envelope.keyId());
    if (key0 == null) {
      throw new Rejected("signed with key " + envelope.keyId() + ", not the trigger's");
    }
    byte[] payload;
    try {
      payload = Base64.getDecoder().decode(envelope.payload());
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key0);
      verifier.update(payload);
      if (!verifier.verify(Base64.getDecoder().decode(envelope.signature()))) {
        throw new Rejected("the signature does not verify");
      }
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new Rejected("the signature does not verify: " + e.getMessage());
    }
    ScheduleChange change;
    try {
      change = json.readValue(payload, ScheduleChange.class);
    } catch (IOException e) {
      throw new Rejected("a signed but undecodable payload: " + firstLine(e.getMessage()));
    }
    Schedule s = change.schedule();
    if (!key.equals(s.id())) {
      throw new Rejected("the record's key " + key + " is not its schedule's id " + s.id());
    }
    if (blank(s.service()) || blank(s.environment()) || blank(s.version()) || s.notBefore() == null
        || s.createdAt() == null || s.state() == null) {
      throw new Rejected("schedule " + s.id() + " lacks service, environment, version, notBefore, createdAt or state");
    }
    for (String field : new String[] {s.service(), s.environment(), s.version(), s.reason(), s.requestedBy(),
        s.changedBy(), change.claim(), change.writer()}) {
      if (field != null && field.length() > MAX_FIELD) {
        throw new Rejected("schedule " + s.id() + " has a field longer than " + MAX_FIELD);
      }
    }
    return change;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
