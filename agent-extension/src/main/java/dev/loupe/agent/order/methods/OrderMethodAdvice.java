package dev.loupe.agent.order.methods;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Inlined into each configured legacy method; everything it does is in {@link OrderMethodSupport}. */
public final class OrderMethodAdvice {

  private OrderMethodAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(
      @Advice.Origin("#t") String type,
      @Advice.Origin("#m") String method,
      @Advice.AllArguments Object[] args,
      @Advice.Local("loupeHeld") Object held) {
    held = OrderMethodSupport.enter(type, method, args);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Origin("#t") String type,
      @Advice.Origin("#m") String method,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object returned,
      @Advice.Thrown Throwable thrown,
      @Advice.Local("loupeHeld") Object held) {
    OrderMethodSupport.exit(type, method, returned, thrown, held);
  }
}
