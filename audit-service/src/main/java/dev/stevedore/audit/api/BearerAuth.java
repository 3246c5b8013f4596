package dev.stevedore.audit.api;

import dev.stevedore.common.security.Secrets;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Requires {@code Authorization: Bearer <token>} with a token of the role {@code reader}. The
 * given token is hashed and compared with every configured token's hash in constant time (no
 * early exit, no length leak).
 */
public final class BearerAuth implements Handler<RoutingContext> {
  private static final int MAX_HEADER = 4096;
  private final List<String> tokenHashes;

  public BearerAuth(List<String> readerTokens) {
    if (readerTokens.isEmpty()) {
      throw new IllegalArgumentException("at least one reader token is required (auth.readerToken)");
    }
    this.tokenHashes = readerTokens.stream().map(BearerAuth::sha256).toList();
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (authorized(ctx.request().getHeader("Authorization"))) {
      ctx.next();
      return;
    }
    ctx.response().setStatusCode(401)
        .putHeader("WWW-Authenticate", "Bearer realm=\"stevedore-audit\"")
        .putHeader("content-type", "application/json")
        .end("{\"error\":\"a bearer token of the role reader is required\"}");
  }

  public boolean authorized(String header) {
    if (header == null || header.length() > MAX_HEADER || header.length() < 8
        || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    String given = sha256(header.substring(7).trim());
    boolean ok = false;
    for (String expected : tokenHashes) {
      ok |= Secrets.constantTimeEquals(expected, given);
    }
    return ok;
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
