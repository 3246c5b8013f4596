package dev.stevedore.proxy;

import java.util.regex.Pattern;

/** One colour of the service: its name ({@code blue}, {@code green}) and the loopback port it listens on. */
public record Upstream(String colour, int port) {
  private static final Pattern COLOUR = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  public Upstream {
    if (colour == null || !COLOUR.matcher(colour).matches()) {
      throw new IllegalArgumentException("colour must match " + COLOUR.pattern());
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be 1-65535, not " + port);
    }
  }
}
