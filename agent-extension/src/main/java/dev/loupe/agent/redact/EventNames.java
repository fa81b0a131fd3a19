package dev.loupe.agent.redact;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import io.opentelemetry.sdk.logs.data.LogRecordData;

/** A log record's event name, where the running SDK has one. */
final class EventNames {

  private static final MethodHandle GET = find();

  private EventNames() {}

  private static MethodHandle find() {
    try {
      return MethodHandles.publicLookup().findVirtual(LogRecordData.class, "getEventName", MethodType.methodType(String.class));
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  static String of(LogRecordData log) {
    if (GET == null) {
      return null;
    }
    try {
      return (String) GET.invoke(log);
    } catch (Throwable e) {
      return null;
    }
  }
}
