// The hotspot editor: draws each hotspot over the screen image and lets an
// author drag on the image to draw a new one, which fills the form's empty
// row in natural image pixels. The form works without this script.

const editor = document.querySelector('.sandpit-editor')
if (editor) start(editor)

// start wires up the editor around one screen image.
function start (editor) {
  const img = editor.querySelector('img')
  const natural = { w: Number(editor.dataset.width), h: Number(editor.dataset.height) }
  if (!img || !(natural.w > 0) || !(natural.h > 0)) return
  const form = document.querySelector('.sandpit-hotspot-form')
  const editable = editor.hasAttribute('data-editable') && form

  // scale is rendered pixels per image pixel: the image may be shrunk to fit.
  const scale = () => img.getBoundingClientRect().width / natural.w || 1
  const clamp = (n, lo, hi) => Math.min(Math.max(n, lo), hi)

  // rectOf reads one hotspot from a form row or a table row, or null.
  function rectOf (row) {
    const read = (name) => {
      const input = row.querySelector(`[name="${name}"]`)
      const raw = input ? input.value : row.dataset[name]
      return raw === undefined || raw === '' ? NaN : Number(raw)
    }
    const removed = row.querySelector('[name="remove"]')
    if (removed && removed.checked) return null
    const r = { x: read('x'), y: read('y'), w: read('w'), h: read('h') }
    return [r.x, r.y, r.w, r.h].every(Number.isFinite) && r.w > 0 && r.h > 0 ? r : null
  }

  // place positions box over image rectangle r.
  function place (box, r) {
    const s = scale()
    box.style.left = `${r.x * s}px`
    box.style.top = `${r.y * s}px`
    box.style.width = `${r.w * s}px`
    box.style.height = `${r.h * s}px`
  }

  // draw replaces the drawn boxes with one per hotspot row.
  function draw () {
    editor.querySelectorAll('.sandpit-hotspot-box:not(.sandpit-hotspot-box--drawing)').forEach((b) => b.remove())
    document.querySelectorAll('.sandpit-hotspot').forEach((row, i) => {
      const r = rectOf(row)
      if (!r) return
      const box = document.createElement('div')
      box.className = 'sandpit-hotspot-box'
      box.setAttribute('aria-hidden', 'true')
      const number = document.createElement('span')
      number.className = 'sandpit-hotspot-box__number'
      number.textContent = String(i + 1)
      box.append(number)
      place(box, r)
      editor.append(box)
    })
  }

  draw()
  img.addEventListener('load', draw)
  if ('ResizeObserver' in window) new ResizeObserver(draw).observe(img)
  else window.addEventListener('resize', draw)
  if (!editable) return

  form.addEventListener('input', draw)
  form.addEventListener('change', draw)
  document.querySelectorAll('.sandpit-js-only').forEach((el) => { el.hidden = false })

  // point converts a pointer event to image pixels inside the image.
  function point (e) {
    const rect = img.getBoundingClientRect()
    const s = scale()
    return {
      x: clamp(Math.round((e.clientX - rect.left) / s), 0, natural.w),
      y: clamp(Math.round((e.clientY - rect.top) / s), 0, natural.h)
    }
  }

  // fill writes rectangle r into the empty row and focuses its target.
  function fill (r, focus) {
    const row = form.querySelector('.sandpit-hotspot[data-new]')
    if (!row) return
    for (const name of ['x', 'y', 'w', 'h']) {
      const input = row.querySelector(`[name="${name}"]`)
      if (input) input.value = String(r[name])
    }
    if (focus) {
      const target = row.querySelector('select[name="target"]')
      if (target) target.focus()
    }
  }

  let from = null
  let drawing = null

  // rectBetween is the rectangle with corners a and b.
  const rectBetween = (a, b) => ({
    x: Math.min(a.x, b.x),
    y: Math.min(a.y, b.y),
    w: Math.abs(a.x - b.x),
    h: Math.abs(a.y - b.y)
  })

  img.addEventListener('dragstart', (e) => e.preventDefault())
  img.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return
    e.preventDefault()
    img.setPointerCapture(e.pointerId)
    from = point(e)
    drawing = document.createElement('div')
    drawing.className = 'sandpit-hotspot-box sandpit-hotspot-box--drawing'
    drawing.setAttribute('aria-hidden', 'true')
    place(drawing, { x: from.x, y: from.y, w: 0, h: 0 })
    editor.append(drawing)
  })
  img.addEventListener('pointermove', (e) => {
    if (!from) return
    place(drawing, rectBetween(from, point(e)))
  })
  const finish = (e, keep) => {
    if (!from) return
    const r = rectBetween(from, point(e))
    from = null
    drawing.remove()
    drawing = null
    if (keep && r.w >= 1 && r.h >= 1) {
      fill(r, true)
      draw()
    }
  }
  img.addEventListener('pointerup', (e) => finish(e, true))
  img.addEventListener('pointercancel', (e) => finish(e, false))
}
