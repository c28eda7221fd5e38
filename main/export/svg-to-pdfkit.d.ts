// The one function svg-to-pdfkit (a CommonJS module without typings) exports, as renderPdf.ts calls it.

declare module 'svg-to-pdfkit' {
  export default function svgToPdf(doc: PDFKit.PDFDocument, svg: string, x: number, y: number, options: Record<string, unknown>): void;
}
