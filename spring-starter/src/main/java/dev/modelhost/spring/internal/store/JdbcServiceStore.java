package dev.modelhost.spring.internal.store;

import dev.modelhost.spring.store.ServiceStore;
import dev.modelhost.spring.store.StoredService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Services in {@code modelhost_services}; every change is also added to {@code modelhost_service_events}. */
public final class JdbcServiceStore implements ServiceStore {

  private final JdbcStore store;

  JdbcServiceStore(JdbcStore store) {
    this.store = store;
  }

  @Override
  public List<StoredService> list() {
    return store.transaction(connection -> {
      List<StoredService> services = new ArrayList<>();
      try (PreparedStatement select = connection.prepareStatement(
              "SELECT instance_id, spec, created_at FROM modelhost_services ORDER BY access_path");
          ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          services.add(new StoredService(rows.getString(1), SpecJson.read(rows.getString(2)),
              Instant.ofEpochMilli(rows.getLong(3))));
        }
      }
      return services;
    });
  }

  @Override
  public void save(StoredService service) {
    store.transaction(connection -> {
      long now = System.currentTimeMillis();
      String event;
      try (PreparedStatement update = connection.prepareStatement(
          "UPDATE modelhost_services SET instance_id = ?, spec = ?, updated_at = ? WHERE access_path = ?")) {
        update.setString(1, service.instanceId());
        update.setString(2, SpecJson.write(service.spec()));
        update.setLong(3, now);
        update.setString(4, service.accessPath());
        event = update.executeUpdate() == 0 ? "created" : "updated";
      }
      if (event.equals("created")) {
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO modelhost_services (access_path, instance_id, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")) {
          insert.setString(1, service.accessPath());
          insert.setString(2, service.instanceId());
          insert.setString(3, SpecJson.write(service.spec()));
          insert.setLong(4, service.created().toEpochMilli());
          insert.setLong(5, now);
          insert.executeUpdate();
        }
      }
      addEvent(connection, service.accessPath(), service.instanceId(), event, service.spec().replicas(), now);
      return null;
    });
  }

  @Override
  public void delete(String accessPath) {
    store.transaction(connection -> {
      String instanceId = null;
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT instance_id FROM modelhost_services WHERE access_path = ?")) {
        select.setString(1, accessPath);
        try (ResultSet rows = select.executeQuery()) {
          if (rows.next()) {
            instanceId = rows.getString(1);
          }
        }
      }
      if (instanceId != null) {
        try (PreparedStatement delete = connection.prepareStatement(
            "DELETE FROM modelhost_services WHERE access_path = ?")) {
          delete.setString(1, accessPath);
          delete.executeUpdate();
        }
        addEvent(connection, accessPath, instanceId, "deleted", 0, System.currentTimeMillis());
      }
      return null;
    });
  }

  private static void addEvent(Connection connection, String accessPath, String instanceId, String event,
      int replicas, long at) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO modelhost_service_events (access_path, instance_id, event, replicas, at) VALUES (?, ?, ?, ?, ?)")) {
      insert.setString(1, accessPath);
      insert.setString(2, instanceId);
      insert.setString(3, event);
      insert.setInt(4, replicas);
      insert.setLong(5, at);
      insert.executeUpdate();
    }
  }
}
