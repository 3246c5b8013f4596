package dev.stevedore.trigger.it;

import java.time.Duration;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** Kafka in a container from the locally built image (never pulled), DNS pointed at loopback. */
public final class TestKafka {
  private static KafkaContainer shared;

  private TestKafka() {}

  /** One broker for every IT class in this JVM that does not stop it. */
  public static synchronized KafkaContainer shared() {
    if (shared == null) {
      shared = newContainer();
      shared.start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop));
    }
    return shared;
  }

  /** A broker of one's own (for tests that stop it); the caller starts and stops it. */
  @SuppressWarnings("resource")
  public static KafkaContainer newContainer() {
    if (!"true".equalsIgnoreCase(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))
        || System.getenv("TESTCONTAINERS_HOST_OVERRIDE") == null) {
      throw new IllegalStateException("run ITs through failsafe (mvn verify): TESTCONTAINERS_RYUK_DISABLED=true and "
          + "TESTCONTAINERS_HOST_OVERRIDE are needed so that no helper image is pulled");
    }
    String image = System.getProperty("stevedore.kafka.image", "stevedore/kafka:4.1.1");
    return new KafkaContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("apache/kafka"))
        .withLabel("stevedore.test", "true")
        .withLabel("stevedore.module", "trigger-service")
        .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withDns("127.0.0.1"))
        .withStartupTimeout(Duration.ofSeconds(90));
  }
}
