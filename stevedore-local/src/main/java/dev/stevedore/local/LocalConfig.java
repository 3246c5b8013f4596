package dev.stevedore.local;

import java.util.Map;

/** The launcher's configuration (defaults in {@code local-defaults.yml}; see docs/local.md). */
public record LocalConfig(String dataDir, String environment, Kafka kafka, Database database, Port trigger,
    Port audit, Port agent, Demo demo) {

  /** Empty {@code bootstrapServers}: start the embedded broker on {@code port}. */
  public record Kafka(String bootstrapServers, int port, int controllerPort, String libs,
      Map<String, String> properties) {
    public Kafka {
      properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /** Property names only: their values may hold SASL credentials. */
    @Override
    public String toString() {
      return "Kafka[bootstrapServers=" + bootstrapServers + ", port=" + port + ", controllerPort=" + controllerPort
          + ", libs=" + libs + ", properties=" + new java.util.TreeSet<>(properties.keySet()) + "]";
    }

    public boolean embedded() {
      return bootstrapServers == null || bootstrapServers.isBlank();
    }
  }

  /** Empty {@code url}: SQLite in the data folder. */
  public record Database(String url, String user, String password) {
    @Override
    public String toString() {
      return "Database[url=" + url + ", user=" + user + "]";
    }
  }

  public record Port(int port) {}

  /**
   * @param mode {@code auto}, {@code docker} or {@code git}
   */
  public record Demo(String mode, int port, String registry, String repository, String firstVersion,
      String nextVersion) {
    public Demo {
      if (!java.util.List.of("auto", "docker", "git").contains(mode)) {
        throw new IllegalArgumentException("demo.mode must be auto, docker or git");
      }
    }

    public String image() {
      return registry + "/" + repository;
    }
  }
}
