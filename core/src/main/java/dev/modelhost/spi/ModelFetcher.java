package dev.modelhost.spi;

import dev.modelhost.PullProgress;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Brings a model named by an id (such as {@code hf:ORG/NAME}) into a local folder before a
 * backend loads it. Found with {@link java.util.ServiceLoader} from
 * {@code META-INF/services/dev.modelhost.spi.ModelFetcher} or added with
 * {@code ModelHostBuilder.fetcher}; a location that no fetcher handles goes to the backend as it is.
 * Construction must be cheap and side-effect free; work happens in {@link #fetch}.
 */
public interface ModelFetcher {

  /** Whether this fetcher reads {@code location}, judged from its text alone (no I/O). */
  boolean handles(String location);

  /**
   * Makes the files of the model that {@code chooser} picks available locally and returns the
   * folder that holds them under their repository paths.
   *
   * @param chooser picks, from every path the model's repository has, those the backend needs
   * @param progress receives progress from time to time, on the fetching threads
   * @param cancellation cancelled when the service is deleted while fetching; fetching then stops
   * @throws dev.modelhost.exception.ModelLoadException when the model cannot be fetched, with the reason
   * @throws dev.modelhost.exception.RequestCancelledException when cancelled
   */
  Path fetch(String location, FileChooser chooser, Consumer<PullProgress> progress, Cancellation cancellation);

  /** Picks the files a backend needs from a model repository's file list. */
  @FunctionalInterface
  interface FileChooser {

    /**
     * @param available every path in the repository, with {@code /} between folders
     * @return the paths to fetch, a subset of {@code available}
     * @throws dev.modelhost.exception.ModelLoadException when nothing there can be served, listing
     *     what was found
     */
    List<String> choose(List<String> available);
  }
}
