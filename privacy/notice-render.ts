// Renders the privacy notice's document (privacy-notice.ts) as Markdown or as a standalone
// HTML page. Every text comes from configuration and policy, so both renderers escape all
// of it: Markdown's punctuation, HTML's five special characters.

export type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; header: string[]; rows: string[][] }

export interface Section {
  title: string
  blocks: Block[]
}

export interface NoticeDocument {
  title: string
  intro: string
  sections: Section[]
}

// Inline markup and HTML everywhere; block markers (`#`, `-`, `+`, `1.`) where a line starts.
const markdownInline = /[\\`*_[\]<>|~]/g
const md = (text: string): string =>
  text
    .replace(/\r?\n/g, ' ')
    .replace(markdownInline, (c) => `\\${c}`)
    .replace(/^(\s*)([#+-]|\d+[.)])/, (_m, space: string, marker: string) => `${space}${marker.replace(/([#+\-.)])/, '\\$1')}`)

export function renderMarkdown(doc: NoticeDocument): string {
  const out = [`# ${md(doc.title)}`, '', md(doc.intro), '']
  for (const section of doc.sections) {
    out.push(`## ${md(section.title)}`, '')
    for (const block of section.blocks) {
      if (block.kind === 'paragraph') out.push(md(block.text), '')
      else if (block.kind === 'list') out.push(...block.items.map((item) => `- ${md(item)}`), '')
      else {
        out.push(`| ${block.header.map(md).join(' | ')} |`, `| ${block.header.map(() => '---').join(' | ')} |`)
        for (const row of block.rows) out.push(`| ${row.map(md).join(' | ')} |`)
        out.push('')
      }
    }
  }
  return out.join('\n')
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => htmlEscapes[c]!)

export function renderHtml(doc: NoticeDocument): string {
  const out = [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><title>' + escapeHtml(doc.title) + '</title></head>',
    '<body>',
    `<h1>${escapeHtml(doc.title)}</h1>`,
    `<p>${escapeHtml(doc.intro)}</p>`,
  ]
  for (const section of doc.sections) {
    out.push(`<section>`, `<h2>${escapeHtml(section.title)}</h2>`)
    for (const block of section.blocks) {
      if (block.kind === 'paragraph') out.push(`<p>${escapeHtml(block.text)}</p>`)
      else if (block.kind === 'list') out.push('<ul>', ...block.items.map((item) => `<li>${escapeHtml(item)}</li>`), '</ul>')
      else {
        out.push('<table>', `<thead><tr>${block.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`, '<tbody>')
        for (const row of block.rows) out.push(`<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
        out.push('</tbody>', '</table>')
      }
    }
    out.push('</section>')
  }
  out.push('</body>', '</html>', '')
  return out.join('\n')
}
