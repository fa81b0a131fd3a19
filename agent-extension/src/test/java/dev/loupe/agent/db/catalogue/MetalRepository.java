package dev.loupe.agent.db.catalogue;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

public interface MetalRepository extends JpaRepository<Metal, Long> {
  List<Metal> findAllByOrderByName();
}
