package dev.stevedore.cli.out;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Bytes (UTF-8) into a {@link PrintWriter}, line by line: for code that prints to a
 * {@link java.io.PrintStream} (push-client) inside a command that writes to the CLI's writers.
 * Closing it flushes, and leaves the writer open.
 */
public final class WriterStream extends OutputStream {
  private final PrintWriter writer;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  public WriterStream(PrintWriter writer) {
    this.writer = writer;
  }

  @Override
  public synchronized void write(int b) {
    pending.write(b);
    if (b == '\n') {
      flush();
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    pending.write(b, off, len);
  }

  @Override
  public synchronized void flush() {
    if (pending.size() > 0) {
      writer.write(pending.toString(StandardCharsets.UTF_8));
      pending.reset();
    }
    writer.flush();
  }

  @Override
  public void close() {
    flush();
  }
}
