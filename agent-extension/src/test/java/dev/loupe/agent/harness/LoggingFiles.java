package dev.loupe.agent.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Logging configuration for a small legacy service under test, for Logback and Log4j2 alike: every event
 * goes to {@code sync.log} through a synchronous file appender and to {@code async.log} through the
 * library's asynchronous appender, each line {@code <mdc>|<message>}.
 */
public final class LoggingFiles {

  private LoggingFiles() {}

  /**
   * Writes {@code logback.xml} and {@code log4j2.xml} into {@code dir} (where the logs go too);
   * {@code mdc} is the line's prefix in either library's pattern syntax ({@code %X{order_id}}). Returns
   * the system properties that point both libraries at them.
   */
  public static List<String> write(Path dir, String mdc) throws IOException {
    Path logbackXml = dir.resolve("logback.xml");
    Files.writeString(logbackXml, """
        <configuration>
          <shutdownHook class="ch.qos.logback.core.hook.DefaultShutdownHook"/>
          <appender name="SYNC" class="ch.qos.logback.core.FileAppender">
            <file>%1$s/sync.log</file>
            <encoder><pattern>%2$s|%%msg%%n</pattern></encoder>
          </appender>
          <appender name="LATER" class="ch.qos.logback.core.FileAppender">
            <file>%1$s/async.log</file>
            <encoder><pattern>%2$s|%%msg%%n</pattern></encoder>
          </appender>
          <appender name="ASYNC" class="ch.qos.logback.classic.AsyncAppender">
            <appender-ref ref="LATER"/>
          </appender>
          <root level="INFO"><appender-ref ref="SYNC"/><appender-ref ref="ASYNC"/></root>
        </configuration>
        """.formatted(dir, mdc));
    Path log4jXml = dir.resolve("log4j2.xml");
    Files.writeString(log4jXml, """
        <Configuration>
          <Appenders>
            <File name="SYNC" fileName="%1$s/sync.log"><PatternLayout pattern="%2$s|%%m%%n"/></File>
            <File name="LATER" fileName="%1$s/async.log"><PatternLayout pattern="%2$s|%%m%%n"/></File>
            <Async name="ASYNC"><AppenderRef ref="LATER"/></Async>
          </Appenders>
          <Loggers><Root level="info"><AppenderRef ref="SYNC"/><AppenderRef ref="ASYNC"/></Root></Loggers>
        </Configuration>
        """.formatted(dir, mdc));
    return List.of("-Dlogback.configurationFile=" + logbackXml, "-Dlog4j2.configurationFile=" + log4jXml);
  }
}
