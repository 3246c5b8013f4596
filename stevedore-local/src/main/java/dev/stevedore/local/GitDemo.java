package dev.stevedore.local;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The demo without Docker: a git repository whose tags are the versions, a checkout the agent's
 * git driver moves to the exact commit of a tag, a restart command that publishes the checked-out
 * {@code version} file, and a small HTTP server that serves it (the "running" release).
 */
final class GitDemo implements Demo {
  private static final Duration T = Duration.ofSeconds(30);
  private final LocalConfig.Demo config;
  private final Vertx vertx;
  private Path site;
  private Path served;
  private HttpServer server;

  GitDemo(LocalConfig.Demo config, Vertx vertx) {
    this.config = config;
    this.vertx = vertx;
  }

  @Override
  public String mode() {
    return "git";
  }

  @Override
  public void prepare(Path dataDir) throws Exception {
    if (!Processes.run(null, Duration.ofSeconds(10), "git", "--version").ok()) {
      throw new IllegalStateException("git is not installed: the git demo needs it (apt-get install git)");
    }
    Path root = Files.createDirectories(dataDir.resolve("demo-git"));
    Path origin = root.resolve("origin.git");
    Path author = root.resolve("author");
    site = root.resolve("site");
    served = Files.createDirectories(root.resolve("served"));
    if (!Files.isDirectory(origin)) {
      Files.createDirectories(origin);
      git(origin, "init", "-q", "--bare");
      Files.createDirectories(author);
      git(author, "init", "-q");
      git(author, "remote", "add", "origin", origin.toString());
      for (String version : new String[] {config.firstVersion(), config.nextVersion(), "v3"}) {
        Files.writeString(author.resolve("version"), version);
        git(author, "add", "version");
        git(author, "commit", "-q", "-m", "release " + version);
        git(author, "tag", version);
      }
      git(author, "push", "-q", "origin", "HEAD:main", "--tags");
    }
    if (!Files.isDirectory(site)) {
      git(root, "clone", "-q", origin.toString(), site.toString());
    }
    server = vertx.createHttpServer()
        .requestHandler(req -> {
          if (!"/version".equals(req.path())) {
            req.response().setStatusCode(404).end();
            return;
          }
          vertx.fileSystem().readFile(served.resolve("version").toString())
              .onSuccess(body -> req.response().end(body))
              .onFailure(e -> req.response().setStatusCode(503).end("not deployed yet"));
        })
        .listen(config.port(), "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void git(Path dir, String... args) {
    String[] command = new String[args.length + 7];
    command[0] = "git";
    command[1] = "-c";
    command[2] = "user.name=stevedore-demo";
    command[3] = "-c";
    command[4] = "user.email=demo@stevedore.invalid";
    command[5] = "-c";
    command[6] = "init.defaultBranch=main";
    System.arraycopy(args, 0, command, 7, args.length);
    Processes.runOrThrow(dir, T, command);
  }

  @Override
  public String agentServiceYaml() {
    return """
          demo:
            driver: git
            rollback: true
            git:
              repositoryDirectory: "%s"
              remote: origin
              branch: main
              restartCommand: ["cp", "version", "%s/"]
            healthCheck:
              type: http
              url: "%s"
              expectedStatus: 200
              interval: PT0.2S
              deadline: PT10S
        """.formatted(site, served, versionUrl());
  }

  @Override
  public String versionUrl() {
    return "http://127.0.0.1:" + config.port() + "/version";
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
