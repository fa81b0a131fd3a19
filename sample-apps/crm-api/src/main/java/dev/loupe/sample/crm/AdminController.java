package dev.loupe.sample.crm;

import dev.loupe.sample.faults.AdminApi;
import dev.loupe.sample.faults.FaultSwitch;
import javax.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Health and the fault switch. */
@RestController
class AdminController {

  private final AdminApi admin;

  AdminController(FaultSwitch faults) {
    this.admin = new AdminApi(faults);
  }

  @RequestMapping("/health")
  Map<String, String> health() {
    return Map.of("status", "UP");
  }

  @RequestMapping({AdminApi.PATH, AdminApi.PATH + "/{fault}"})
  ResponseEntity<String> faults(HttpServletRequest request, @PathVariable(required = false) String fault) {
    AdminApi.Answer answer = admin.handle(request.getMethod(), fault);
    return ResponseEntity.status(answer.status()).contentType(MediaType.APPLICATION_JSON).body(answer.json());
  }
}
