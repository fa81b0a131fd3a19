package dev.loupe.sample.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A private PostgreSQL runs wherever the project is checked out: as root its server runs as the
 * {@code postgres} user, who cannot enter a {@code 0700} folder of root's, such as a clone in a home
 * directory or under {@code mktemp -d}.
 */
class PostgresTest {

  @Test
  void privateServerRunsFromAFolderOnlyItsOwnerCanEnterAndLeavesNoDataBehind(@TempDir Path tmp) throws Exception {
    Path closed = Files.createDirectory(tmp.resolve("checkout"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path dir = closed.resolve("target/stack/shop-db");
    Path home;
    try (Postgres pg = Postgres.startPrivate(dir)) {
      home = pg.home();
      pg.recreateDatabase("shop");
      try (Connection c = pg.connect("shop"); Statement s = c.createStatement();
          ResultSet r = s.executeQuery("select current_setting('data_directory')")) {
        r.next();
        assertThat(Path.of(r.getString(1))).isEqualTo(home.resolve("data"));
      }
      pg.stop();
      pg.start();
      try (Connection c = pg.connect("shop")) {
        assertThat(c.isValid(5)).isTrue();
      }
    }
    if ("root".equals(System.getProperty("user.name"))) {
      assertThat(home.startsWith(closed)).as("data where the postgres user can reach it: " + home).isFalse();
      assertThat(home).as("removed after close").doesNotExist();
      assertThat(dir.resolve("postgres.log")).as("the server's log kept with the stack").isNotEmptyFile();
    } else {
      assertThat(home).isEqualTo(dir);
    }
  }
}
