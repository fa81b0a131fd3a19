package dev.loupe.sample.loadgen;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A synthetic customer. The details look like personal data on purpose: telemetry must never carry
 * them. Addresses use the reserved example.com domain and phone numbers the UK keeps for drama.
 */
public record Customer(String name, String email, String phone) {

  private static final String[] FIRST = {"Alice", "Bruno", "Clara", "Dmitri", "Elena", "Farid", "Greta", "Hugo"};
  private static final String[] LAST = {"Moreau", "Ivanova", "Okafor", "Lindqvist", "Haddad", "Tanaka", "Novak"};

  public static Customer random() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String first = FIRST[r.nextInt(FIRST.length)];
    String last = LAST[r.nextInt(LAST.length)];
    int n = r.nextInt(1000, 10000);
    return new Customer(first + " " + last, (first + "." + last + "." + n + "@example.com").toLowerCase(),
        String.format("+44 20 7946 0%03d", r.nextInt(1000)));
  }
}
