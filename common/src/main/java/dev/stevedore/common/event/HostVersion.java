package dev.stevedore.common.event;

/** A host and a version: where a halted rollout sends a host back to. */
public record HostVersion(String host, String version) {
  public HostVersion {
    host = Fields.required("host", host);
    version = Fields.required("version", version);
  }
}
