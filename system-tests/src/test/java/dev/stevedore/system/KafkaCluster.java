package dev.stevedore.system;

import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.FreePorts;
import dev.stevedore.testing.KafkaTestSupport;
import dev.stevedore.testing.ProcessResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three-node KRaft cluster of the root docker-compose.yml (profile {@code cluster}: services
 * kafka-1..3, each broker and controller, and kafka-cluster-init, which creates Stevedore's topics
 * with three replicas and min.insync.replicas 2), started with docker-compose under a project of
 * its own on free host ports. The test drives the compose file users run, not a copy of it.
 *
 * <p>{@link #kill(int)} is {@code docker kill} (SIGKILL: the broker process dies mid-write; the
 * restart policy does not bring it back, Docker counts a kill as a stop); {@link #restart(int)}
 * starts the same container on the same volume and host port.
 */
final class KafkaCluster implements AutoCloseable {
  static final int NODES = 3;
  private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);
  private static final Duration UP = Duration.ofMinutes(8);

  final String project = DockerTestSupport.uniqueName("kcluster").replace("-", "");
  private final Path composeFile = DockerTestSupport.repositoryRoot().resolve("docker-compose.yml");
  private final int[] ports = new int[NODES];
  private final Map<String, String> env = new HashMap<>();
  private final Map<String, String> ids = new java.util.concurrent.ConcurrentHashMap<>();
  private AdminClient admin;

  KafkaCluster() {
    for (int i = 0; i < NODES; i++) {
      ports[i] = FreePorts.find();
      env.put("KAFKA_" + (i + 1) + "_PORT", String.valueOf(ports[i]));
    }
    env.put("KAFKA_IMAGE", System.getProperty(KafkaTestSupport.IMAGE_PROPERTY, KafkaTestSupport.DEFAULT_IMAGE));
    env.put("KAFKA_CLUSTER_JVM_OPTS", KafkaTestSupport.TEST_JVM_OPTS);
    env.put("KAFKA_HEAP_OPTS", "-Xmx384m -Xms128m");
    // At a load average of 80-90 the three nodes took over 120 s (the step's default) to answer.
    env.put("KAFKA_INIT_WAIT_SECONDS", "420");
  }

  /** Starts the three nodes and the topic step, and waits until the topics exist, every partition with three in sync. */
  KafkaCluster start() {
    long t0 = System.nanoTime();
    compose(UP, "up", "-d", "kafka-1", "kafka-2", "kafka-3", "kafka-cluster-init").orThrow();
    String init = containerId("kafka-cluster-init");
    long deadline = System.nanoTime() + UP.toNanos();
    while (true) {
      String[] state = DockerTestSupport.docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", init)
          .orThrow().stdout().trim().split(" ");
      if (state[0].equals("exited")) {
        if (!state[1].equals("0")) {
          throw new IllegalStateException("kafka-cluster-init exited " + state[1] + ":\n" + logs("kafka-cluster-init"));
        }
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("kafka-cluster-init still running after " + UP + ":\n" + logs("kafka-cluster-init"));
      }
      sleep(500);
    }
    awaitHealed(Duration.ofMinutes(2));
    LOG.info("Kafka cluster {} up in {} ms at {}", project, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
        bootstrapServers());
    return this;
  }

  String bootstrapServers() {
    List<String> servers = new ArrayList<>();
    for (int port : ports) {
      servers.add("127.0.0.1:" + port);
    }
    return String.join(",", servers);
  }

  synchronized AdminClient admin() {
    if (admin == null) {
      Map<String, Object> config = new HashMap<>();
      config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
      config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
      config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
      admin = AdminClient.create(config);
    }
    return admin;
  }

  /** The node id of the active controller (the leader of the KRaft metadata quorum). */
  int activeController() throws Exception {
    return admin().describeMetadataQuorum().quorumInfo().get(15, TimeUnit.SECONDS).leaderId();
  }

  /** The node ids the cluster reports as live brokers. */
  List<Integer> liveBrokers() throws Exception {
    return admin().describeCluster().nodes().get(15, TimeUnit.SECONDS).stream().map(Node::id).sorted().toList();
  }

  /** Every partition of every topic (internal ones included): "topic-partition" to its in-sync replicas. */
  Map<String, List<Integer>> inSyncReplicas() throws Exception {
    Collection<String> names = admin().listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
        .names().get(15, TimeUnit.SECONDS);
    Map<String, TopicDescription> topics = admin().describeTopics(names).allTopicNames().get(15, TimeUnit.SECONDS);
    Map<String, List<Integer>> isr = new TreeMap<>();
    topics.forEach((name, d) -> {
      for (TopicPartitionInfo p : d.partitions()) {
        isr.put(name + "-" + p.partition(), p.isr().stream().map(Node::id).sorted().toList());
      }
    });
    return isr;
  }

  /** The leader of each partition of a topic (-1: none). */
  List<Integer> leaders(String topic) throws Exception {
    return admin().describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic).partitions()
        .stream().map(p -> p.leader() == null ? -1 : p.leader().id()).toList();
  }

  /** The partitions whose in-sync replicas are fewer than {@link #NODES}. */
  Map<String, List<Integer>> underReplicated() throws Exception {
    return inSyncReplicas().entrySet().stream().filter(e -> e.getValue().size() < NODES)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
  }

  /** Waits until all three brokers are live and every partition of every topic has all three in sync. */
  void awaitHealed(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        List<Integer> live = liveBrokers();
        Map<String, List<Integer>> isr = inSyncReplicas();
        Map<String, List<Integer>> under = underReplicated();
        if (live.size() == NODES && !isr.isEmpty() && under.isEmpty()) {
          return;
        }
        last = "live brokers " + live + ", under-replicated " + under;
      } catch (Exception e) {
        last = e.toString();
      }
      sleep(500);
    }
    throw new IllegalStateException("the cluster did not heal within " + timeout + ": " + last);
  }

  /** SIGKILL to node {@code id} (1..3): {@code docker kill}, the broker and controller die at once. */
  void kill(int id) {
    DockerTestSupport.dockerOk("kill", "--signal", "KILL", containerId("kafka-" + id));
    LOG.info("Kafka node {} killed", id);
  }

  /** Starts node {@code id}'s container again (same volume, same host port). */
  void restart(int id) {
    DockerTestSupport.dockerOk("start", containerId("kafka-" + id));
    LOG.info("Kafka node {} started again", id);
  }

  boolean running(int id) {
    return DockerTestSupport.docker("inspect", "-f", "{{.State.Running}}", containerId("kafka-" + id))
        .stdout().trim().equals("true");
  }

  String logs(String service) {
    ProcessResult r = compose(Duration.ofSeconds(30), "logs", "--no-color", "--tail", "60", service);
    return r.stdout() + r.stderr();
  }

  /** By the labels compose gives its containers: `docker ps` answers in a moment where `docker-compose ps` took 30 s under load. */
  private String containerId(String service) {
    return ids.computeIfAbsent(service, s -> {
      String id = DockerTestSupport.docker(Duration.ofSeconds(60), "ps", "-aq", "--filter",
          "label=com.docker.compose.project=" + project, "--filter", "label=com.docker.compose.service=" + s)
          .orThrow().stdout().trim();
      if (id.isEmpty() || id.contains("\n")) {
        throw new IllegalStateException("not one container for " + s + " in project " + project + ": " + id);
      }
      return id;
    });
  }

  private ProcessResult compose(Duration timeout, String... args) {
    List<String> all = new ArrayList<>(List.of("--profile", "cluster"));
    all.addAll(List.of(args));
    return DockerTestSupport.compose(timeout, composeFile, project, env, all.toArray(String[]::new));
  }

  @Override
  public void close() {
    try {
      if (admin != null) {
        admin.close(Duration.ofSeconds(2));
      }
    } finally {
      ProcessResult down = compose(Duration.ofMinutes(2), "down", "-v", "--remove-orphans", "-t", "5");
      if (!down.ok()) {
        LOG.warn("docker-compose down of {} failed: {}", project, down.describe());
      }
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
