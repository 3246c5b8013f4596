package dev.stevedore.audit.store;

/**
 * A validated filter on the deployment list. Null fields do not filter; {@code since} is
 * inclusive, {@code until} exclusive (epoch milliseconds of the request time); {@code after} is
 * the keyset cursor (the last item of the previous page).
 */
public record DeploymentFilter(String service, String environment, String host, String status, Long since,
                               Long until, int limit, Views.Position after) {
  public DeploymentFilter {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive");
    }
  }

  public static DeploymentFilter all(int limit) {
    return new DeploymentFilter(null, null, null, null, null, null, limit, null);
  }

  public DeploymentFilter after(Views.Position position) {
    return new DeploymentFilter(service, environment, host, status, since, until, limit, position);
  }
}
