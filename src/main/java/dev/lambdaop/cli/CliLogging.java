package dev.lambdaop.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/**
 * The operator's logback.xml logs to standard output, which is the plugin's drawing surface: the plugin moves the
 * console appender to standard error, and keeps the level at WARN unless LAMBDAOP_LOG_LEVEL says otherwise (the
 * wrapper script sets it from LAMBDAOP_CLI_LOG_LEVEL).
 */
final class CliLogging {
  private CliLogging() {}

  static void toStandardError() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    if (System.getenv("LAMBDAOP_LOG_LEVEL") == null) {
      root.setLevel(Level.WARN);
    }
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof ConsoleAppender<ILoggingEvent> console) {
        console.stop();
        console.setTarget("System.err");
        console.start();
      }
    }
  }
}
