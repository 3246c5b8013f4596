package dev.stevedore.audit.dashboard;

import dev.stevedore.audit.api.QueryHandlers;
import dev.stevedore.common.runtime.BearerGuard;
import dev.stevedore.common.runtime.Problems;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard under {@code /ui}: static pages from the jar ({@code dashboard/}), a login form
 * that checks a reader token and opens a session ({@link Sessions}; the cookie holds only the
 * session id), logout, the read-only data routes (the query API's handlers behind the session) and
 * the live feed ({@link LiveFeed}). Every answer carries a CSP without inline scripts; the POSTs
 * must come from this origin ({@link SameOrigin}).
 */
public final class DashboardRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardRoutes.class);
  public static final String COOKIE = "stevedore_session";
  static final String CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  /** Pages and assets a browser may fetch without a session. */
  private static final Set<String> PUBLIC = Set.of("/ui/login.html", "/ui/login.js", "/ui/app.css");

  private final Sessions sessions;
  private final BearerGuard<String> tokens;
  private final QueryHandlers handlers;
  private final LiveFeed feed;

  public DashboardRoutes(Sessions sessions, BearerGuard<String> tokens, QueryHandlers handlers, LiveFeed feed) {
    this.sessions = sessions;
    this.tokens = tokens;
    this.handlers = handlers;
    this.feed = feed;
  }

  public void mount(Router router) {
    // "/ui" alone also matches "/ui/" in Vert.x Web: an exact regex, or the redirect would loop.
    router.getWithRegex("^/ui$").handler(ctx -> redirect(ctx, "/ui/"));
    router.route("/ui/*").handler(DashboardRoutes::headers);
    router.post("/ui/login").handler(BodyHandler.create(false).setBodyLimit(8192)).handler(this::login);
    router.post("/ui/logout").handler(BodyHandler.create(false).setBodyLimit(1024)).handler(this::logout);
    router.route("/ui/*").handler(this::guard);
    router.get("/ui/data/deployments").handler(handlers::listDeployments);
    router.get("/ui/data/deployments/:id").handler(handlers::deployment);
    router.get("/ui/data/hosts").handler(handlers::hosts);
    router.get("/ui/data/verify").handler(handlers::verify);
    router.get("/ui/data/dora").handler(handlers::dora);
    router.get("/ui/data/dora/series").handler(handlers::doraSeries);
    router.get("/ui/data/fleet").handler(handlers::fleet);
    router.get("/ui/data/rollouts").handler(handlers::listRollouts);
    router.get("/ui/data/rollouts/:id").handler(handlers::rollout);
    router.get("/ui/events").handler(this::events);
    router.get("/ui/*").handler(StaticHandler.create("dashboard").setIndexPage("index.html")
        .setDirectoryListing(false).setIncludeHidden(false).setCachingEnabled(false));
  }

  private static void headers(RoutingContext ctx) {
    ctx.response().putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        // not no-referrer: under it a browser sends "Origin: null" with the form POSTs, which the CSRF rule refuses
        .putHeader("Referrer-Policy", "same-origin")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Cache-Control", "no-store");
    ctx.next();
  }

  /** Public assets pass; anything else needs a live session (pages redirect to the login, data gets 401). */
  private void guard(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (PUBLIC.contains(path)) {
      ctx.next();
      return;
    }
    Optional<String> principal = session(ctx);
    if (principal.isPresent()) {
      ctx.put("stevedore.reader", principal.get());
      ctx.next();
    } else if (path.startsWith("/ui/data/") || path.equals("/ui/events")) {
      Problems.send(ctx, 401, "log in to the dashboard first");
    } else {
      redirect(ctx, "/ui/login.html");
    }
  }

  private Optional<String> session(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(COOKIE);
    return cookie == null ? Optional.empty() : sessions.principal(cookie.getValue());
  }

  private boolean sameOrigin(RoutingContext ctx) {
    // authority(): the Host header, or :authority over HTTP/2
    var authority = ctx.request().authority();
    String host = authority == null ? null : (authority.host().contains(":") && !authority.host().startsWith("[")
        ? "[" + authority.host() + "]" : authority.host()) + (authority.port() >= 0 ? ":" + authority.port() : "");
    if (SameOrigin.allows(ctx.request().getHeader(HttpHeaders.ORIGIN), host, ctx.request().isSSL())) {
      return true;
    }
    Problems.send(ctx, 403, "cross-origin request refused");
    return false;
  }

  private void login(RoutingContext ctx) {
    if (!sameOrigin(ctx)) {
      return;
    }
    String token = ctx.request().getFormAttribute("token");
    Optional<String> principal = token == null || token.isBlank() || token.length() > 4096 ? Optional.empty()
        : tokens.authenticate("Bearer " + token.trim());
    if (principal.isEmpty()) {
      LOG.warn("dashboard login refused from {}", ctx.request().remoteAddress());
      redirect(ctx, "/ui/login.html?error=1");
      return;
    }
    Cookie old = ctx.request().getCookie(COOKIE);
    if (old != null) {
      sessions.remove(old.getValue()); // a new id at every login: no session fixation
    }
    String id = sessions.create(principal.get());
    ctx.response().addCookie(cookie(ctx, id, sessions.ttl().toSeconds()));
    LOG.info("dashboard login ({}) from {}", principal.get(), ctx.request().remoteAddress());
    redirect(ctx, "/ui/");
  }

  private void logout(RoutingContext ctx) {
    if (!sameOrigin(ctx)) {
      return;
    }
    Cookie old = ctx.request().getCookie(COOKIE);
    if (old != null) {
      sessions.remove(old.getValue());
    }
    ctx.response().addCookie(cookie(ctx, "", 0));
    redirect(ctx, "/ui/login.html");
  }

  static Cookie cookie(RoutingContext ctx, String value, long maxAgeSeconds) {
    return Cookie.cookie(COOKIE, value).setPath("/ui").setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
        .setSecure(ctx.request().isSSL()).setMaxAge(maxAgeSeconds);
  }

  private void events(RoutingContext ctx) {
    String id = ctx.request().getCookie(COOKIE).getValue();
    var response = ctx.response();
    if (feed.listeners() >= feed.capacity()) {
      Problems.send(ctx, 503, "too many live listeners; retry later");
      return;
    }
    // the head goes out with the feed's first frame, once it has its baseline (see LiveFeed)
    response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader("X-Accel-Buffering", "no");
    feed.add(response, () -> sessions.principal(id).isPresent());
  }

  private static void redirect(RoutingContext ctx, String to) {
    ctx.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, to).end();
  }
}
