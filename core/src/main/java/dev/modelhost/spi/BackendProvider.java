package dev.modelhost.spi;

import dev.modelhost.exception.ModelLoadException;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A model backend, discovered with {@link java.util.ServiceLoader} from
 * {@code META-INF/services/dev.modelhost.spi.BackendProvider} and selected by {@link #name()}.
 * Construction must be cheap and side-effect free; work happens in {@link #load}.
 */
public interface BackendProvider {

  /** Unique backend name used to select it, e.g. {@code onnx}, {@code djl}, {@code remote}. */
  String name();

  /**
   * Loads a model (local backends: the weights, once; remote: the endpoint list) and returns the
   * runtime that the service's replicas share.
   *
   * @throws dev.modelhost.exception.ModelLoadException when the source cannot be served
   */
  ModelRuntime load(ModelSource source);

  /**
   * Loads a model for the service {@code accessPath} ({@code owner/name}). Backends whose loading
   * depends on the service's name (the remote backend picks the upstream model by it) override
   * this; the others load the source alone.
   *
   * @throws dev.modelhost.exception.ModelLoadException when the source cannot be served
   */
  default ModelRuntime load(ModelSource source, String accessPath) {
    return load(source);
  }

  /**
   * The files of a model repository that {@link #load} needs, when the service's location is a
   * model id that a {@link ModelFetcher} downloads. The default refuses: the backend reads its
   * location directly (as the remote backend reads base URLs).
   *
   * @param available every path in the repository
   * @throws ModelLoadException when nothing there can be served, listing what was found
   */
  default List<String> filesToFetch(List<String> available, ModelSource source) {
    throw new ModelLoadException("The " + name() + " backend cannot load a model by id ('" + source.location()
        + "'); give it a location it reads directly.");
  }

  /**
   * The names of the options this backend reads. A service that sets any other option is refused
   * when it is deployed, naming the option: an option is honoured or refused, never ignored. Null
   * (the default) means the backend does not say, and its options are not checked.
   */
  default @Nullable Set<String> optionNames() {
    return null;
  }
}
