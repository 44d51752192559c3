package dev.modelhost.spring;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when the store in effect is {@code jdbc} (see {@link ModelhostProperties.Store#effectiveType()}). */
final class JdbcStoreCondition implements Condition {

  @Override
  public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
    ModelhostProperties.Store store = Binder.get(context.getEnvironment())
        .bind("modelhost.store", ModelhostProperties.Store.class)
        .orElseGet(ModelhostProperties.Store::new);
    return store.effectiveType().equals("jdbc");
  }
}
