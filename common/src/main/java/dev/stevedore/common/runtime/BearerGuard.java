package dev.stevedore.common.runtime;

import dev.stevedore.common.security.Secrets;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer tokens ({@code Authorization: Bearer <token>}), each standing for a principal of type
 * {@code P} (a token's name and roles, or just a role). The given token is hashed and compared with
 * the hash of every configured token in constant time: no early exit, no length leak.
 */
public final class BearerGuard<P> {
  private static final int MAX_HEADER = 4096;

  private record Entry<P>(String hash, P principal) {}

  private final List<Entry<P>> entries;

  private BearerGuard(List<Entry<P>> entries) {
    this.entries = List.copyOf(entries);
  }

  /** {@code tokens}: token value to principal, in the order a tie is decided (first wins). */
  public static <P> BearerGuard<P> of(Map<String, P> tokens) {
    List<Entry<P>> entries = new ArrayList<>();
    tokens.forEach((token, principal) -> {
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("a bearer token must not be blank");
      }
      entries.add(new Entry<>(sha256(token), principal));
    });
    return new BearerGuard<>(entries);
  }

  /** The token of an {@code Authorization} header, or empty when it holds no bearer token. */
  public static Optional<String> token(String header) {
    if (header == null || header.length() > MAX_HEADER || header.length() < 8
        || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    return Optional.of(header.substring(7).trim());
  }

  /** The principal whose token the header carries, or empty. */
  public Optional<P> authenticate(String authorizationHeader) {
    Optional<String> token = token(authorizationHeader);
    if (token.isEmpty()) {
      return Optional.empty();
    }
    String given = sha256(token.get());
    P found = null;
    for (Entry<P> entry : entries) {
      if (Secrets.constantTimeEquals(entry.hash(), given) && found == null) {
        found = entry.principal();
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * A route handler: a request with a known token goes on (its principal under {@code key} in the
   * context); any other gets 401 with {@code WWW-Authenticate: Bearer realm="<realm>"} and
   * {@code detail}.
   */
  public Handler<RoutingContext> handler(String realm, String key, String detail) {
    return ctx -> {
      Optional<P> principal = authenticate(ctx.request().getHeader("Authorization"));
      if (principal.isPresent()) {
        ctx.put(key, principal.get());
        ctx.next();
        return;
      }
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"" + realm + "\"");
      Problems.send(ctx, 401, detail);
    };
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
