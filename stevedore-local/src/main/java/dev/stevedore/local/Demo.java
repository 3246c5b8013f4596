package dev.stevedore.local;

import java.nio.file.Path;

/** The service the local agent manages, to show a real deploy. */
interface Demo extends AutoCloseable {
  /** {@code docker} or {@code git}. */
  String mode();

  /** Creates what the demo needs in {@code dir} (idempotent: a restart keeps it). */
  void prepare(Path dir) throws Exception;

  /** The {@code services.demo} entry of the agent's YAML config. */
  String agentServiceYaml();

  /** The URL that answers with the running version. */
  String versionUrl();

  @Override
  void close();
}
