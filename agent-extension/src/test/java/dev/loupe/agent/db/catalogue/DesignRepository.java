package dev.loupe.agent.db.catalogue;

import org.springframework.data.jpa.repository.JpaRepository;

public interface DesignRepository extends JpaRepository<Design, Long> {}
