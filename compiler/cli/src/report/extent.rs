//! `layout-rs`'s SVG writer sizes the picture from what it draws, but
//! grows the height by a text's length (in pixels per character) for
//! every label, leaving a band of blank page under the graph. This
//! backend passes every drawing call on and keeps the real extent, to
//! size the `<svg>` element by. It also puts a white plate under each
//! edge's label (a text drawn without a box: a node's box comes just
//! before its text), so that the count reads over the stroke it labels.

use layout::backends::svg::SVGWriter;
use layout::core::color::Color;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::StyleAttr;

/// Margin around the drawing, in pixels.
const MARGIN: f64 = 8.0;

#[derive(Default)]
pub struct Extent {
    pub svg: SVGWriter,
    max: (f64, f64),
    /// The last call drew a box (the next text is a node's label).
    boxed: bool,
    /// Edge labels, drawn last: over every stroke.
    labels: Vec<(Point, String, StyleAttr)>,
}

impl Extent {
    fn reach(&mut self, x: f64, y: f64) {
        self.max.0 = self.max.0.max(x);
        self.max.1 = self.max.1.max(y);
    }

    /// The finished SVG, sized to what was drawn (without its XML
    /// declaration, to sit inline in HTML).
    pub fn finalize(mut self) -> String {
        for (xy, text, look) in std::mem::take(&mut self.labels) {
            let font = look.font_size as f64;
            let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
            let lines = text.lines().count() as f64;
            let size = Point::new(widest * font * 0.62 + 6.0, lines * font * 1.2 + 4.0);
            let corner = Point::new(xy.x - size.x / 2.0, xy.y - size.y / 2.0);
            let plate = StyleAttr::new(
                Color::new(0xffffff00),
                0,
                Some(Color::new(0xffffffe6)),
                3,
                look.font_size,
            );
            self.svg
                .draw_rect(corner, size, &plate, Some("class=\"plate\"".into()), None);
            self.svg.draw_text(xy, &text, &look);
        }
        let drawn = self.svg.finalize();
        let start = drawn.find("<svg").unwrap_or(0);
        let drawn = &drawn[start..];
        let Some(end) = drawn.find('>') else {
            return drawn.to_string();
        };
        let (w, h) = ((self.max.0 + MARGIN).ceil(), (self.max.1 + MARGIN).ceil());
        format!(
            "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"event graph\"{}",
            &drawn[end..]
        )
    }
}

impl RenderBackend for Extent {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        properties: Option<String>,
        clip: Option<ClipHandle>,
    ) {
        self.reach(xy.x + size.x, xy.y + size.y);
        self.svg.draw_rect(xy, size, look, properties, clip);
        self.boxed = true;
    }

    fn draw_line(
        &mut self,
        start: Point,
        stop: Point,
        look: &StyleAttr,
        properties: Option<String>,
    ) {
        self.reach(start.x, start.y);
        self.reach(stop.x, stop.y);
        self.svg.draw_line(start, stop, look, properties);
        self.boxed = false;
    }

    fn draw_circle(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        properties: Option<String>,
    ) {
        self.reach(xy.x + size.x / 2.0, xy.y + size.y / 2.0);
        self.svg.draw_circle(xy, size, look, properties);
        self.boxed = false;
    }

    fn draw_text(&mut self, xy: Point, text: &str, look: &StyleAttr) {
        // Centred on `xy`, one line per line of text (about half an em
        // wide per character).
        let font = look.font_size as f64;
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
        let lines = text.lines().count() as f64;
        self.reach(xy.x + widest * font * 0.3, xy.y + lines * font / 2.0 + font);
        if !std::mem::take(&mut self.boxed) && !text.is_empty() {
            self.labels.push((xy, text.to_string(), look.clone()));
            return;
        }
        self.svg.draw_text(xy, text, look);
    }

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        dashed: bool,
        head: (bool, bool),
        look: &StyleAttr,
        properties: Option<String>,
        text: &str,
    ) {
        for (a, b) in path {
            self.reach(a.x, a.y);
            self.reach(b.x, b.y);
        }
        self.svg
            .draw_arrow(path, dashed, head, look, properties, text);
        self.boxed = false;
    }

    fn create_clip(&mut self, xy: Point, size: Point, rounded_px: usize) -> ClipHandle {
        self.svg.create_clip(xy, size, rounded_px)
    }
}
