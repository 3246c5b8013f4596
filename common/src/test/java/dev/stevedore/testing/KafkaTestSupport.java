package dev.stevedore.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.HostConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * One Kafka broker (KRaft, single node) in a container, for integration tests, on the locally
 * built image named by system property {@value #IMAGE_PROPERTY} (default {@value #DEFAULT_IMAGE})
 * used as a compatible substitute for {@code apache/kafka}. Never pulls an image.
 *
 * <p>The container resolves names only through 127.0.0.1 (nothing inside it can look up a host
 * outside this machine), runs under an init process so a stop is quick and graceful, and carries
 * the label {@code stevedore.test=true} besides Testcontainers' own (scripts/cleanup-containers.sh
 * removes leftovers: Ryuk is disabled).
 *
 * <p>Typical use:
 * <pre>{@code
 * static KafkaTestSupport kafka = KafkaTestSupport.shared();      // one broker per test JVM
 * kafka.createTopics("stevedore.deploy.requests");
 * kafka.send("stevedore.deploy.requests", "prod/web", json);
 * List<ConsumerRecord<String, String>> all = kafka.readAll("stevedore.deploy.events", Duration.ofSeconds(10));
 * }</pre>
 * For broker-outage tests start an own broker with {@link #startWithFixedPort()}: its host port
 * survives {@link #stopBroker()} / {@link #startBroker()}, so clients reconnect by themselves.
 */
public final class KafkaTestSupport implements AutoCloseable {

  public static final String IMAGE_PROPERTY = "stevedore.kafka.image";
  public static final String DEFAULT_IMAGE = "stevedore/kafka:4.1.1";
  /** The broker's client port inside the container (PLAINTEXT listener). */
  public static final int KAFKA_PORT = 9092;
  public static final String TEST_LABEL = "stevedore.test";

  /** JVM options of test brokers (environment KAFKA_JVM_PERFORMANCE_OPTS of the image). */
  public static final String TEST_JVM_OPTS =
      "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Djava.awt.headless=true";

  private static final Logger LOG = LoggerFactory.getLogger(KafkaTestSupport.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static KafkaTestSupport shared;

  private final KafkaContainer container;
  private final Integer fixedHostPort;
  private final boolean sharedInstance;
  private AdminClient admin;
  private KafkaProducer<String, String> producer;

  private KafkaTestSupport(KafkaContainer container, Integer fixedHostPort, boolean sharedInstance) {
    this.container = container;
    this.fixedHostPort = fixedHostPort;
    this.sharedInstance = sharedInstance;
  }

  // ---- starting ---------------------------------------------------------------------------------

  /** The image: system property {@value #IMAGE_PROPERTY}, as a substitute for apache/kafka. */
  public static DockerImageName imageName() {
    return DockerImageName.parse(System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE))
        .asCompatibleSubstituteFor("apache/kafka");
  }

  /**
   * A configured, not yet started container (DNS 127.0.0.1, init, labels, never pulls), for tests
   * that add their own settings before {@link #start(KafkaContainer)}.
   *
   * @param fixedHostPort host port for the broker's client port on 127.0.0.1, or null for a
   *     random one
   */
  public static KafkaContainer newContainer(Integer fixedHostPort) {
    TestEnvironment.assertNoImagePulls();
    DockerImageName image = imageName();
    requireLocalImage(image);
    KafkaContainer kafka = new KafkaContainer(image)
        .withImagePullPolicy(name -> false)
        .withLabel(TEST_LABEL, "true")
        // docker-init (tini) as PID 1 forwards SIGTERM to the whole process group: the broker
        // shuts down cleanly within a second on `docker stop`.
        .withEnv("TINI_KILL_PROCESS_GROUP", "1")
        // Quicker unfencing at start and restart; a killed broker's session expires sooner.
        .withEnv("KAFKA_BROKER_HEARTBEAT_INTERVAL_MS", "500")
        .withEnv("KAFKA_BROKER_SESSION_TIMEOUT_MS", "3000")
        // Start-up over throughput (C1 only, serial GC): measured 7-8 s instead of 10-25 s to
        // RUNNING on 2 busy cores. Override with withEnv on newContainer(...) for load tests.
        .withEnv("KAFKA_JVM_PERFORMANCE_OPTS", TEST_JVM_OPTS)
        .withCreateContainerCmdModifier(cmd -> {
          HostConfig hostConfig = cmd.getHostConfig();
          if (hostConfig == null) {
            hostConfig = HostConfig.newHostConfig();
            cmd.withHostConfig(hostConfig);
          }
          hostConfig.withDns("127.0.0.1").withInit(true);
        })
        .withStartupTimeout(READY_TIMEOUT);
    if (fixedHostPort != null) {
      kafka.setPortBindings(List.of("127.0.0.1:" + fixedHostPort + ":" + KAFKA_PORT));
    }
    return kafka;
  }

  /** Starts a broker on a random host port. Close it (or let the JVM's end leave it to cleanup). */
  public static KafkaTestSupport start() {
    return start(newContainer(null), null);
  }

  /** Starts a broker on a free fixed host port: it can be stopped and started again. */
  public static KafkaTestSupport startWithFixedPort() {
    return startWithFixedPort(FreePorts.find());
  }

  /** Starts a broker on the given host port (on 127.0.0.1): it can be stopped and started again. */
  public static KafkaTestSupport startWithFixedPort(int hostPort) {
    return start(newContainer(hostPort), hostPort);
  }

  /** Starts a container made by {@link #newContainer(Integer)} (and customised by the caller). */
  public static KafkaTestSupport start(KafkaContainer container) {
    Integer fixed = null;
    for (String binding : container.getPortBindings()) {
      String[] parts = binding.split(":");
      if (parts.length >= 2 && parts[parts.length - 1].startsWith(String.valueOf(KAFKA_PORT))) {
        fixed = Integer.valueOf(parts[parts.length - 2]);
      }
    }
    return start(container, fixed);
  }

  private static KafkaTestSupport start(KafkaContainer container, Integer fixedHostPort) {
    long t0 = System.nanoTime();
    container.start();
    LOG.info("Kafka {} started in {} ms at {}", container.getDockerImageName(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), container.getBootstrapServers());
    return new KafkaTestSupport(container, fixedHostPort, false);
  }

  /**
   * One broker shared by every test of this JVM, started on first use and removed when the JVM
   * exits. {@link #close()} on it does nothing. Do not stop or pause it: use your own broker for
   * outage tests.
   */
  public static synchronized KafkaTestSupport shared() {
    if (shared == null || !shared.container.isRunning()) {
      KafkaTestSupport started = start(newContainer(null), null);
      shared = new KafkaTestSupport(started.container, null, true);
      Runtime.getRuntime().addShutdownHook(new Thread(shared::closeQuietly, "kafka-test-support-stop"));
    }
    return shared;
  }

  private static void requireLocalImage(DockerImageName image) {
    DockerClient docker = DockerClientFactory.instance().client();
    try {
      docker.inspectImageCmd(image.asCanonicalNameString()).exec();
    } catch (NotFoundException e) {
      throw new IllegalStateException("image " + image.asCanonicalNameString()
          + " is not present locally (it is never pulled): run scripts/build-images.sh", e);
    }
  }

  // ---- access -----------------------------------------------------------------------------------

  public KafkaContainer container() {
    return container;
  }

  /** host:port for clients on this machine. */
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  public boolean hasFixedPort() {
    return fixedHostPort != null;
  }

  /** The host port clients connect to. */
  public int hostPort() {
    return fixedHostPort != null ? fixedHostPort : container.getMappedPort(KAFKA_PORT);
  }

  /** Client settings with only {@code bootstrap.servers}; a mutable copy (Vert.x takes this type). */
  public Map<String, String> clientConfig() {
    Map<String, String> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return config;
  }

  /** Producer settings as the project uses them: strings, acks=all, idempotence. */
  public Map<String, String> producerConfig() {
    Map<String, String> config = clientConfig();
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return config;
  }

  /** Consumer settings: strings, from the earliest offset, no auto-commit. */
  public Map<String, String> consumerConfig(String groupId) {
    Map<String, String> config = clientConfig();
    config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return config;
  }

  /** A new producer ({@link #producerConfig()}); the caller closes it. */
  public KafkaProducer<String, String> newProducer() {
    return new KafkaProducer<>(new HashMap<String, Object>(producerConfig()));
  }

  /** A new consumer ({@link #consumerConfig(String)}); the caller closes it. */
  public KafkaConsumer<String, String> newConsumer(String groupId) {
    return new KafkaConsumer<>(new HashMap<String, Object>(consumerConfig(groupId)));
  }

  /** An admin client kept by this object (closed by {@link #close()}). */
  public synchronized AdminClient admin() {
    if (admin == null) {
      Map<String, Object> config = new HashMap<>(clientConfig());
      config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
      config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
      admin = AdminClient.create(config);
    }
    return admin;
  }

  // ---- topics and records -----------------------------------------------------------------------

  /** Creates topics with one partition each; existing ones are left as they are. */
  public void createTopics(String... names) {
    List<NewTopic> topics = new ArrayList<>();
    for (String name : names) {
      topics.add(new NewTopic(name, 1, (short) 1));
    }
    createTopics(topics);
  }

  /** Creates one topic with the given partitions and topic configs (e.g. cleanup.policy=compact). */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)));
  }

  /** Creates topics (existing ones are left alone) and waits until every partition has a leader. */
  public void createTopics(Collection<NewTopic> topics) {
    for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e
        : admin().createTopics(topics).values().entrySet()) {
      try {
        e.getValue().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException ex) {
        if (!(ex.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("creating topic " + e.getKey() + " failed", ex.getCause());
        }
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(ex);
      } catch (TimeoutException ex) {
        throw new IllegalStateException("creating topic " + e.getKey() + " timed out", ex);
      }
    }
    awaitLeaders(topics.stream().map(NewTopic::name).collect(Collectors.toSet()), Duration.ofSeconds(30));
  }

  private void awaitLeaders(Set<String> names, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        Map<String, TopicDescription> descriptions =
            admin().describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
        boolean ready = descriptions.values().stream()
            .flatMap(d -> d.partitions().stream())
            .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        if (ready) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        // not there yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topics " + names + " have no leader after " + timeout);
      }
      sleep(100);
    }
  }

  /** Sends one record and waits for the broker's acknowledgement (30 s at most). */
  public RecordMetadata send(String topic, String key, String value) {
    KafkaProducer<String, String> p;
    synchronized (this) {
      if (producer == null) {
        producer = newProducer();
      }
      p = producer;
    }
    try {
      return p.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("send to " + topic + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("send to " + topic + " not acknowledged in 30 s", e);
    }
  }

  /**
   * Every record of a topic from the beginning up to its end offsets at the time of the call,
   * as strings, without a consumer group. Throws {@link IllegalStateException} when the topic
   * does not exist or the records cannot all be read within {@code timeout}.
   */
  public List<ConsumerRecord<String, String>> readAll(String topic, Duration timeout) {
    return readAll(topic, timeout, new StringDeserializer(), new StringDeserializer());
  }

  /** {@link #readAll(String, Duration)} with the given deserializers. */
  public <K, V> List<ConsumerRecord<K, V>> readAll(String topic, Duration timeout,
      Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<K, V> consumer = groupLessConsumer(keyDeserializer, valueDeserializer)) {
      List<TopicPartition> partitions = partitionsOf(consumer, topic, deadline);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, remaining(deadline));
      List<ConsumerRecord<K, V>> records = new ArrayList<>();
      while (!reached(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("read " + records.size() + " records of " + topic
              + " but not up to its end offsets " + end + " within " + timeout);
        }
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
      return records;
    }
  }

  /**
   * Reads a topic from the beginning until at least {@code count} records arrived (the topic may
   * be created meanwhile); returns all records read. Throws {@link IllegalStateException} on timeout.
   */
  public List<ConsumerRecord<String, String>> awaitRecords(String topic, int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, String> consumer =
             groupLessConsumer(new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = partitionsOf(consumer, topic, deadline);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      List<ConsumerRecord<String, String>> records = new ArrayList<>();
      while (records.size() < count) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + records.size() + " of " + count
              + " records arrived on " + topic + " within " + timeout + ": " + records);
        }
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
      return records;
    }
  }

  private <K, V> KafkaConsumer<K, V> groupLessConsumer(Deserializer<K> k, Deserializer<V> v) {
    Map<String, Object> config = new HashMap<>(clientConfig());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(config, k, v);
  }

  private static List<TopicPartition> partitionsOf(KafkaConsumer<?, ?> consumer, String topic, long deadline) {
    while (true) {
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(topic, Duration.ofMillis(Math.max(1, Math.min(2_000, remainingMillis(deadline)))));
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        infos = List.of();
      }
      if (infos != null && !infos.isEmpty()) {
        return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      sleep(100);
    }
  }

  private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static Duration remaining(long deadline) {
    return Duration.ofMillis(Math.max(1, remainingMillis(deadline)));
  }

  private static long remainingMillis(long deadline) {
    return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
  }

  // ---- outages ----------------------------------------------------------------------------------

  /**
   * Stops the broker cleanly (SIGTERM to the broker process through the image's
   * /etc/kafka/docker/stop, then the container ends) and waits until the container has stopped.
   */
  public void stopBroker() {
    requireOwnBroker();
    long t0 = System.nanoTime();
    DockerClient docker = container.getDockerClient();
    String id = container.getContainerId();
    try {
      // Exit code 137: the exec was ended by the container stopping with the broker.
      var result = container.execInContainer("/etc/kafka/docker/stop", "20");
      if (result.getExitCode() != 0 && result.getExitCode() != 137) {
        LOG.warn("/etc/kafka/docker/stop exited {}: {}{}", result.getExitCode(), result.getStdout(), result.getStderr());
      }
    } catch (java.io.IOException | RuntimeException e) {
      LOG.warn("/etc/kafka/docker/stop failed; falling back to docker stop", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getRunning())) {
      if (System.nanoTime() > deadline) {
        docker.stopContainerCmd(id).withTimeout(10).exec();
        break;
      }
      sleep(50);
    }
    LOG.info("Kafka broker stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  /** Kills the broker container (SIGKILL: a crash). */
  public void killBroker() {
    requireOwnBroker();
    container.getDockerClient().killContainerCmd(container.getContainerId()).exec();
    LOG.info("Kafka broker killed");
  }

  /**
   * Starts the stopped broker again and waits until it answers. Only for a broker with a fixed
   * host port ({@link #startWithFixedPort()}): otherwise Docker would map a new port that
   * neither the clients nor the advertised listener know.
   */
  public void startBroker() {
    requireOwnBroker();
    if (fixedHostPort == null) {
      throw new IllegalStateException("this broker has a random host port; use startWithFixedPort()");
    }
    long t0 = System.nanoTime();
    container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
    awaitReady(READY_TIMEOUT);
    LOG.info("Kafka broker restarted in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  /** Freezes the broker ({@code docker pause}): connections hang instead of being refused. */
  public void pauseBroker() {
    requireOwnBroker();
    container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
  }

  /** Ends {@link #pauseBroker()}. */
  public void unpauseBroker() {
    requireOwnBroker();
    container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
  }

  /** Waits until the broker answers a metadata request. */
  public void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Object> config = new HashMap<>(clientConfig());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
    try (AdminClient probe = AdminClient.create(config)) {
      Exception last = null;
      while (System.nanoTime() < deadline) {
        try {
          // The broker opens its client listener only once it has caught up and is unfenced.
          if (!probe.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        sleep(200);
      }
      throw new IllegalStateException("Kafka broker not ready after " + timeout, last);
    }
  }

  private void requireOwnBroker() {
    if (sharedInstance) {
      throw new IllegalStateException("the shared broker must not be stopped or paused;"
          + " start an own one with KafkaTestSupport.startWithFixedPort()");
    }
  }

  // ---- end --------------------------------------------------------------------------------------

  /** Closes the clients and removes the container (does nothing for {@link #shared()}). */
  @Override
  public void close() {
    if (!sharedInstance) {
      closeQuietly();
    }
  }

  private synchronized void closeQuietly() {
    try {
      if (producer != null) {
        producer.close(Duration.ofSeconds(2));
      }
      if (admin != null) {
        admin.close(Duration.ofSeconds(2));
      }
    } catch (RuntimeException e) {
      LOG.debug("closing Kafka clients", e);
    } finally {
      producer = null;
      admin = null;
      container.stop();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
