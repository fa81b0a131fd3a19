package dev.loupe.agent.db.catalogue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A jewellery design catalogue written as most Spring services reach their database: Spring Data JPA
 * repositories over Hibernate, no OpenTelemetry code. Its designs page has the N+1 every such service
 * grows sooner or later — the metals list, looked up again for every design it shows — once on the
 * request's thread and once on an executor the request hands the lookups to. Run by
 * {@code SpringDataJpaIT} under the real agent with the extension.
 *
 * <p>Arguments are Spring Boot's ({@code --server.port=...}, {@code --spring.datasource.url=...}).
 */
@SpringBootApplication
@RestController
public class Catalogue {

  private final DesignRepository designs;
  private final MetalRepository metals;
  private final CustomerRepository customers;
  private final ExecutorService lookups = Executors.newFixedThreadPool(2);

  Catalogue(DesignRepository designs, MetalRepository metals, CustomerRepository customers) {
    this.designs = designs;
    this.metals = metals;
    this.customers = customers;
  }

  public static void main(String[] args) {
    SpringApplication.run(Catalogue.class, args);
  }

  /** The designs page: each design with its metal's name, the metals looked up once per design. */
  @GetMapping("/api/designs")
  public List<Map<String, String>> designs() {
    List<Map<String, String>> page = new ArrayList<>();
    for (Design d : designs.findAll()) {
      page.add(row(d, metalName(d)));
    }
    return page;
  }

  /** The same page, the lookups done on an executor's thread, as a service that parallelises them would. */
  @GetMapping("/api/designs/prepared")
  public List<Map<String, String>> designsPrepared() {
    List<Map<String, String>> page = new ArrayList<>();
    for (Design d : designs.findAll()) {
      page.add(row(d, CompletableFuture.supplyAsync(() -> metalName(d), lookups).join()));
    }
    return page;
  }

  @GetMapping("/api/designs/{id}")
  public Map<String, String> design(@PathVariable long id) {
    Design d = designs.findById(id).orElseThrow(IllegalArgumentException::new);
    return row(d, metalName(d));
  }

  /** A customer's details changed: Hibernate writes them with a placeholder for each column. */
  @PutMapping("/api/customers/{id}")
  public Map<String, String> updateCustomer(@PathVariable long id, @RequestBody Map<String, String> details) {
    Customer c = customers.findById(id).orElseThrow(IllegalArgumentException::new);
    c.firstName = details.get("firstName");
    c.lastName = details.get("lastName");
    c.address = details.get("address");
    c.city = details.get("city");
    c.telephone = details.get("telephone");
    customers.save(c);
    Map<String, String> out = new LinkedHashMap<>();
    out.put("id", Long.toString(id));
    return out;
  }

  private String metalName(Design d) {
    for (Metal m : metals.findAllByOrderByName()) {
      if (m.id.equals(d.metalId)) {
        return m.name;
      }
    }
    return "";
  }

  private static Map<String, String> row(Design d, String metal) {
    Map<String, String> row = new LinkedHashMap<>();
    row.put("id", Long.toString(d.id));
    row.put("name", d.name);
    row.put("metal", metal);
    return row;
  }

  /** Seven designs in four metals, and one customer. */
  @Bean
  ApplicationRunner seed() {
    return args -> {
      List<String> metalNames = Arrays.asList("platinum", "rose gold", "silver", "yellow gold");
      for (int i = 0; i < metalNames.size(); i++) {
        metals.save(new Metal(i + 1L, metalNames.get(i)));
      }
      List<String> designNames = Arrays.asList("Solitaire", "Halo", "Eternity band", "Signet", "Trilogy", "Bezel",
          "Cathedral");
      for (int i = 0; i < designNames.size(); i++) {
        designs.save(new Design(i + 1L, designNames.get(i), (long) (i % metalNames.size()) + 1));
      }
      Customer c = new Customer();
      c.id = 1L;
      customers.save(c);
      System.out.println("CATALOGUE READY");
    };
  }
}
