package dev.loupe.agent.db.catalogue;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "designs")
public class Design {
  @Id
  public Long id;
  public String name;
  public Long metalId;

  public Design() {}

  Design(Long id, String name, Long metalId) {
    this.id = id;
    this.name = name;
    this.metalId = metalId;
  }
}
