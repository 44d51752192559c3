package dev.modelhost.spring.internal;

import dev.modelhost.exception.ModelhostException;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers what the servlet container and Spring MVC refuse by themselves (unknown route, wrong
 * method, errors outside the controllers) with OpenAI error JSON instead of Spring Boot's default
 * error body.
 */
@RestController
public class OpenAiErrorController implements ErrorController {

  private final long maxBodyBytes;

  public OpenAiErrorController(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @RequestMapping("${server.error.path:${error.path:/error}}")
  public void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    Object exception = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    String path = uri instanceof String s ? s : request.getRequestURI();
    // Servlet 6.1 containers dispatch errors as GET and keep the request's own method in this attribute.
    Object originalMethod = request.getAttribute("jakarta.servlet.error.method");
    String method = originalMethod instanceof String m ? m : request.getMethod();
    if (exception instanceof ModelhostException modelhost) {
      HttpErrors.write(response, modelhost);
    } else if (exception instanceof Throwable other && !(status instanceof Integer code && code < 500)) {
      HttpErrors.write(response, other);
    } else {
      int code = status instanceof Integer value ? value : 404;
      HttpErrors.write(response, StatusExceptions.forStatus(code, method, path, maxBodyBytes));
    }
  }
}
