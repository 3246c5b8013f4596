package dev.stevedore.push;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Turns a host's byte stream into whole lines, each printed as {@code [host] line} as soon as it is complete. */
final class LineSink extends OutputStream {
  static final int MAX_LINE = 8192;

  private final String prefix;
  private final PrintStream target;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  LineSink(String host, PrintStream target) {
    this.prefix = "[" + host + "] ";
    this.target = target;
  }

  @Override
  public synchronized void write(int b) {
    if (b == '\n' || line.size() >= MAX_LINE) {
      emit();
      if (b == '\n') {
        return;
      }
    }
    line.write(b);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      write(b[i]);
    }
  }

  @Override
  public synchronized void flush() {
    target.flush();
  }

  @Override
  public synchronized void close() {
    if (line.size() > 0) {
      emit();
    }
    target.flush();
  }

  private void emit() {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    // one whole line per call, so hosts deploying at once never interleave within a line
    synchronized (target) {
      target.println(prefix + text.replace("\r", ""));
      target.flush();
    }
  }
}
