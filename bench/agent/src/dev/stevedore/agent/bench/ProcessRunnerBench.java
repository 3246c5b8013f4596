package dev.stevedore.agent.bench;

import dev.stevedore.agent.process.Command;
import dev.stevedore.agent.process.ProcessRunner;
import io.vertx.core.Vertx;
import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the agent's ProcessRunner costs per command against the floor, a bare ProcessBuilder that
 * runs the same command with its output in a pipe, A B A B in one run: {@code true}, {@code docker
 * ps -q}, and both again as commands in a session of their own ({@code setsid --wait}, what hooks
 * and restart commands get). Prints p50 / p90 per variant and the ratio to the floor.
 * Usage: {@code BENCH_MAIN=ProcessRunnerBench bench/agent/run.sh [runs-per-variant]} (default 40).
 */
public final class ProcessRunnerBench {
  private ProcessRunnerBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    Vertx vertx = Vertx.vertx();
    ProcessRunner runner = new ProcessRunner(vertx, vertx.createSharedWorkerExecutor("bench-processes", 2));
    try {
      for (List<String> cmd : List.of(List.of("true"), List.of("docker", "ps", "-q"))) {
        for (int round = 1; round <= 2; round++) {
          long[] floor = measure(n, () -> bare(cmd));
          long[] agent = measure(n, () -> runner.run(Command.of(cmd)).toCompletionStage().toCompletableFuture()
              .get(60, TimeUnit.SECONDS));
          long[] session = measure(n, () -> runner.run(Command.of(cmd).inOwnSession()).toCompletionStage()
              .toCompletableFuture().get(60, TimeUnit.SECONDS));
          System.out.printf("%-14s round %d  bare ProcessBuilder p50 %3d p90 %3d ms | ProcessRunner p50 %3d p90 %3d ms "
                  + "(x%.2f) | own session p50 %3d p90 %3d ms (x%.2f)%n", String.join(" ", cmd), round, floor[0], floor[1],
              agent[0], agent[1], ratio(agent[0], floor[0]), session[0], session[1], ratio(session[0], floor[0]));
        }
      }
    } finally {
      vertx.close();
    }
  }

  interface Call {
    void run() throws Exception;
  }

  private static long[] measure(int n, Call call) throws Exception {
    List<Long> ms = new ArrayList<>();
    for (int i = 0; i < n + 5; i++) {
      long t = System.nanoTime();
      call.run();
      if (i >= 5) {
        ms.add((System.nanoTime() - t) / 1_000_000);
      }
    }
    Collections.sort(ms);
    return new long[] {ms.get(ms.size() / 2), ms.get(ms.size() * 9 / 10)};
  }

  private static void bare(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
    p.getInputStream().readAllBytes();
    p.waitFor();
  }

  private static double ratio(long a, long b) {
    return b == 0 ? a : (double) a / b;
  }
}
