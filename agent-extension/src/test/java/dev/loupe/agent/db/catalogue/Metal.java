package dev.loupe.agent.db.catalogue;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "metals")
public class Metal {
  @Id
  public Long id;
  public String name;

  public Metal() {}

  Metal(Long id, String name) {
    this.id = id;
    this.name = name;
  }
}
