package dev.modelhost.samples.server.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * Two panels drawn with Java2D: aggregate tokens/s against concurrent requests, and time to first
 * token against concurrent clients; Modelhost beside the plain batched ONNX Runtime loop.
 */
final class ConcurrencyPlot {

  private static final int PANEL_WIDTH = 520;
  private static final int HEIGHT = 400;
  private static final int MARGIN = 64;
  private static final Color HOST = new Color(0x1f77b4);
  private static final Color PLAIN = new Color(0xff7f0e);

  /** One line of a panel: its name, colour and points (x to y). */
  record Series(String name, Color color, Map<Integer, Double> points) {
    Series {
      points = new TreeMap<>(points);
    }
  }

  private ConcurrencyPlot() {}

  static Series modelhost(String name, Map<Integer, Double> points) {
    return new Series(name, HOST, points);
  }

  static Series plain(String name, Map<Integer, Double> points) {
    return new Series(name, PLAIN, points);
  }

  static void write(Path file, String title, List<Series> throughput, List<Series> firstToken) throws IOException {
    BufferedImage image = new BufferedImage(2 * PANEL_WIDTH, HEIGHT + 30, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString(title, MARGIN, 20);
      g.translate(0, 30);
      panel(g, "aggregate decode tokens/s", "concurrent requests", throughput);
      g.translate(PANEL_WIDTH, 0);
      panel(g, "time to first token p50 (ms)", "concurrent clients", firstToken);
    } finally {
      g.dispose();
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    ImageIO.write(image, "png", file.toFile());
  }

  private static void panel(Graphics2D g, String yLabel, String xLabel, List<Series> series) {
    int maxX = series.stream().flatMap(s -> s.points().keySet().stream()).mapToInt(i -> i).max().orElse(1);
    double maxY = series.stream().flatMap(s -> s.points().values().stream()).mapToDouble(d -> d).max().orElse(1) * 1.1;
    int left = MARGIN;
    int right = PANEL_WIDTH - 20;
    int top = 20;
    int bottom = HEIGHT - 50;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setStroke(new BasicStroke(1f));
    g.setColor(Color.LIGHT_GRAY);
    for (int tick = 0; tick <= 4; tick++) {
      int y = bottom - (bottom - top) * tick / 4;
      g.drawLine(left, y, right, y);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format(Locale.ROOT, "%.0f", maxY * tick / 4), 8, y + 4);
      g.setColor(Color.LIGHT_GRAY);
    }
    g.setColor(Color.BLACK);
    g.drawLine(left, bottom, right, bottom);
    g.drawLine(left, top, left, bottom);
    g.drawString(yLabel, left, top - 6);
    g.drawString(xLabel, (left + right) / 2 - 50, bottom + 36);
    for (int x : series.stream().flatMap(s -> s.points().keySet().stream()).distinct().toList()) {
      g.drawString(Integer.toString(x), xPixel(x, maxX, left, right) - 4, bottom + 16);
    }
    int legend = top + 10;
    g.setStroke(new BasicStroke(2.5f));
    for (Series s : series) {
      g.setColor(s.color());
      int[] previous = null;
      for (Map.Entry<Integer, Double> point : s.points().entrySet()) {
        int x = xPixel(point.getKey(), maxX, left, right);
        int y = bottom - (int) ((bottom - top) * point.getValue() / maxY);
        g.fillOval(x - 4, y - 4, 8, 8);
        if (previous != null) {
          g.drawLine(previous[0], previous[1], x, y);
        }
        previous = new int[] {x, y};
      }
      g.drawLine(left + 12, legend, left + 32, legend);
      g.setColor(Color.BLACK);
      g.drawString(s.name(), left + 38, legend + 4);
      legend += 18;
    }
  }

  private static int xPixel(int x, int maxX, int left, int right) {
    return left + 20 + (int) ((right - left - 40) * (double) x / maxX);
  }
}
