package dev.loupe.sample.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdminApiTest {

  private final FaultSwitch faults = new FaultSwitch("crm-api");
  private final AdminApi api = new AdminApi(faults);

  @Test
  void listsOnlyTheServicesOwnFaultsWithTheirState() {
    faults.set(Fault.CRM_UNROUTABLE, true);
    AdminApi.Answer answer = api.handle("GET", null);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json())
        .startsWith("{\"service\":\"crm-api\"")
        .contains("{\"id\":\"crm-unroutable\",\"on\":true,\"failurePoint\":4")
        .contains("{\"id\":\"crm-malformed-payload\",\"on\":false")
        .doesNotContain("shop-");
  }

  @Test
  void putSwitchesOnAndDeleteSwitchesOff() {
    assertThat(api.handle("PUT", "crm-malformed-payload").status()).isEqualTo(200);
    assertThat(faults.isOn(Fault.CRM_MALFORMED_PAYLOAD)).isTrue();
    assertThat(api.handle("DELETE", "crm-malformed-payload").json()).contains("\"on\":false");
    assertThat(faults.isOn(Fault.CRM_MALFORMED_PAYLOAD)).isFalse();
  }

  @Test
  void deleteOnTheCollectionSwitchesEverythingOff() {
    faults.set(Fault.CRM_UNROUTABLE, true);
    faults.set(Fault.CRM_MALFORMED_PAYLOAD, true);
    api.handle("DELETE", null);
    assertThat(faults.enabled()).isEmpty();
  }

  @Test
  void unknownOrForeignFaultIsA404NamingTheKnownOnes() {
    AdminApi.Answer unknown = api.handle("PUT", "crm-typo");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json()).contains("unknown fault 'crm-typo'").contains("crm-unroutable");
    assertThat(api.handle("PUT", "shop-db-slow").status()).isEqualTo(404);
    assertThat(faults.enabled()).isEmpty();
  }

  @Test
  void listenersHearOnlyRealChanges() {
    List<Boolean> heard = new ArrayList<>();
    faults.onChange(Fault.CRM_UNROUTABLE, heard::add);
    faults.set(Fault.CRM_UNROUTABLE, true);
    faults.set(Fault.CRM_UNROUTABLE, true);
    faults.set(Fault.CRM_UNROUTABLE, false);
    assertThat(heard).containsExactly(true, false);
  }

  @Test
  void aSwitchRefusesAnotherServicesFault() {
    assertThatThrownBy(() -> faults.set(Fault.MES_CONSUMER_SLOW, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("belongs to mes-api");
  }

  @Test
  void everyFaultHasAServiceAFailurePointAndADescription() {
    for (Fault f : Fault.values()) {
      assertThat(f.service()).isIn("shop-api", "crm-api", "mes-api");
      assertThat(f.failurePoint()).isBetween(0, 9);
      assertThat(f.description()).isNotBlank();
      assertThat(Fault.byId(f.id())).contains(f);
    }
  }
}
