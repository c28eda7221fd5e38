// The size a painted SVG declares on its root element (width and height in CSS px), for the renderers
// that size their page or canvas from it.

/** undefined if the root carries no numeric width and height. */
export function svgSize(svg: string): { width: number; height: number } | undefined {
  const size = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  return size ? { width: Number(size[1]), height: Number(size[2]) } : undefined;
}
