package dev.stevedore.common.logging;

import org.slf4j.MDC;

/**
 * The deployment id in the MDC around one log call. Code on a Vert.x event loop cannot leave
 * anything in the MDC (the next handler on the thread belongs to another deployment), so the id is
 * set just before the call and restored just after:
 * {@code Logs.withDeployment(id, () -> LOG.info("deployment {} started", id))}. The JSON lines
 * carry it as {@code "mdc": {"deploymentId": "ID"}} (the text lines already start with
 * {@code deployment ID}).
 *
 * <p>Why the MDC and not SLF4J's {@code addKeyValue}: the call sites keep their plain
 * {@code LOG.info(...)} form and message texts, the JSON encoder puts the MDC in one object
 * ({@code kvpList} would be a list of one-key objects), and any other appender or pattern
 * ({@code %X{deploymentId}}) can use the same key.
 */
public final class Logs {
  /** The MDC key. */
  public static final String DEPLOYMENT_ID = "deploymentId";

  private Logs() {}

  public static void withDeployment(Object deploymentId, Runnable log) {
    String previous = MDC.get(DEPLOYMENT_ID);
    if (deploymentId == null) {
      MDC.remove(DEPLOYMENT_ID);
    } else {
      MDC.put(DEPLOYMENT_ID, String.valueOf(deploymentId));
    }
    try {
      log.run();
    } finally {
      if (previous == null) {
        MDC.remove(DEPLOYMENT_ID);
      } else {
        MDC.put(DEPLOYMENT_ID, previous);
      }
    }
  }
}
