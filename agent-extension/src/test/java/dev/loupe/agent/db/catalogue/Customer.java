package dev.loupe.agent.db.catalogue;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The columns of Spring PetClinic's owners, whose update statement redaction once took for personal data. */
@Entity
@Table(name = "customers")
public class Customer {
  @Id
  public Long id;
  public String firstName;
  public String lastName;
  public String address;
  public String city;
  public String telephone;
}
