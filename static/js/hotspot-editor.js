// The hotspot editor's glue around Annotorious (vendored by make assets):
// Annotorious draws, moves and resizes the boxes on the screen image; this
// script keeps each box and its row of the hotspot form in step, so that
// "Save hotspots" sends the whole set in one request. The form works
// without this script: the boxes only add a way to fill it in.
/* global Annotorious */

const editor = document.getElementById('hotspot-editor')
if (editor && window.Annotorious) start(editor)

function start (editor) {
  const img = editor.querySelector('img')
  const form = document.querySelector('.sandpit-hotspot-form')
  const editable = editor.hasAttribute('data-editable') && form !== null
  const size = { w: Number(editor.dataset.width), h: Number(editor.dataset.height) }
  const anno = Annotorious.createImageAnnotator(img, {
    drawingEnabled: editable,
    drawingMode: 'drag',
    userSelectAction: editable ? 'EDIT' : 'NONE'
  })
  const rows = () => [...document.querySelectorAll('.sandpit-hotspot')]
  const rowOf = (id) => rows().find((row) => row.dataset.box === id)
  let quiet = false // set while this script changes boxes itself
  let slots = 0 // makes the ids of added rows unique

  // rectOf reads one hotspot from a form row or a table row, or null when
  // it is removed or its numbers are not a box.
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

  // box is rectangle r as an Annotorious annotation.
  const box = (id, r) => ({
    id,
    bodies: [],
    target: {
      annotation: id,
      selector: { type: 'RECTANGLE', geometry: { ...r, bounds: { minX: r.x, minY: r.y, maxX: r.x + r.w, maxY: r.y + r.h } } }
    }
  })

  // show draws row's box as its numbers say, or takes it away.
  function show (row) {
    const r = rectOf(row)
    const id = row.dataset.box
    quiet = true
    if (r && anno.getAnnotationById(id)) anno.updateAnnotation(box(id, r))
    else if (r) anno.addAnnotation(box(id, r))
    else if (anno.getAnnotationById(id)) anno.removeAnnotation(id)
    quiet = false
    row.classList.toggle('sandpit-hotspot--removed', Boolean(row.querySelector('[name="remove"]:checked')))
    number()
  }

  // number puts each box's hotspot number on its top left corner, placed
  // in percent of the image so that it follows the image's size.
  function number () {
    editor.querySelectorAll('.sandpit-hotspot-badge').forEach((b) => b.remove())
    rows().forEach((row, i) => {
      const r = rectOf(row)
      if (!r) return
      const badge = document.createElement('span')
      badge.className = 'sandpit-hotspot-badge'
      badge.setAttribute('aria-hidden', 'true')
      badge.textContent = String(i + 1)
      badge.style.left = `${(100 * r.x) / size.w}%`
      badge.style.top = `${(100 * r.y) / size.h}%`
      editor.append(badge)
    })
  }

  rows().forEach((row, i) => {
    row.dataset.box = `hotspot-${i}`
    show(row)
  })
  number()
  if (!editable) return
  document.querySelectorAll('.sandpit-js-only').forEach((el) => { el.hidden = false })
  const status = document.getElementById('hotspot-status')
  const say = (text) => { status.textContent = text }

  // fill writes annotation a's rectangle into row, in whole image pixels
  // inside the image.
  function fill (row, a) {
    const g = a.target.selector.geometry
    const x = Math.min(Math.max(Math.round(g.x), 0), size.w - 1)
    const y = Math.min(Math.max(Math.round(g.y), 0), size.h - 1)
    const values = {
      x,
      y,
      w: Math.min(Math.max(Math.round(g.x + g.w) - x, 1), size.w - x),
      h: Math.min(Math.max(Math.round(g.y + g.h) - y, 1), size.h - y)
    }
    for (const [name, value] of Object.entries(values)) row.querySelector(`[name="${name}"]`).value = String(value)
    number()
  }

  // renumber gives every row its number and its place in the form, which
  // the remove checkbox sends.
  function renumber () {
    rows().forEach((row, i) => {
      row.querySelectorAll('.sandpit-hotspot-number').forEach((n) => { n.textContent = String(i + 1) })
      const remove = row.querySelector('[name="remove"]')
      if (remove) remove.value = String(i)
    })
  }

  // addRow adds a row for a drawn hotspot before the empty one.
  function addRow () {
    const html = document.getElementById('hotspot-row-template').innerHTML.replaceAll('{slot}', `drawn-${++slots}`)
    const blank = document.querySelector('.sandpit-hotspot[data-new]')
    const empty = blank && rectOf(blank) === null && !blank.querySelector('[name="x"]').value
    const anchor = empty ? blank.closest('.sandpit-hotspot-group') : null
    const holder = document.querySelector('.sandpit-hotspot-rows')
    const group = document.createRange().createContextualFragment(html).firstElementChild
    holder.insertBefore(group, anchor)
    renumber()
    return group.querySelector('.sandpit-hotspot')
  }

  anno.on('createAnnotation', (a) => {
    if (quiet || rowOf(a.id)) return
    const row = addRow()
    row.dataset.box = a.id
    fill(row, a)
    // Annotorious selects what was drawn, so the next drag would only
    // unselect it: let go, so that each drag draws a hotspot.
    setTimeout(() => anno.cancelSelected())
    say(`Hotspot ${row.querySelector('.sandpit-hotspot-number').textContent} drawn. Choose where it leads in the form below, then save the hotspots.`)
  })
  anno.on('updateAnnotation', (a) => {
    const row = rowOf(a.id)
    if (!quiet && row) fill(row, a)
  })
  anno.on('selectionChanged', (selected) => {
    const ids = selected.map((a) => a.id)
    rows().forEach((row) => row.classList.toggle('sandpit-hotspot--selected', ids.includes(row.dataset.box)))
    const row = ids.length > 0 && rowOf(ids[0])
    if (row && !row.querySelector('[name="remove"]:checked')) say(`Hotspot ${row.querySelector('.sandpit-hotspot-number').textContent} selected: drag it to move it, drag a corner to resize it, or press Delete to remove it.`)
  })

  // Delete removes the selected hotspot: its row stays, marked removed, so
  // unticking "Remove this hotspot" brings it back.
  document.addEventListener('keydown', (e) => {
    if ((e.key !== 'Delete' && e.key !== 'Backspace') || e.target.closest('input, select, textarea')) return
    const selected = anno.getSelected()
    if (selected.length === 0) return
    e.preventDefault()
    anno.cancelSelected()
    for (const a of selected) {
      const row = rowOf(a.id)
      if (!row) continue
      row.querySelector('[name="remove"]').checked = true
      show(row)
      say(`Hotspot ${row.querySelector('.sandpit-hotspot-number').textContent} removed. Untick “Remove this hotspot” to bring it back.`)
    }
  })

  // Typing a hotspot's numbers, or ticking "Remove", moves its box.
  form.addEventListener('input', (e) => {
    const row = e.target.closest('.sandpit-hotspot')
    if (!row) return
    row.dataset.box = row.dataset.box || `hotspot-typed-${++slots}`
    show(row)
  })
  form.addEventListener('change', (e) => {
    const row = e.target.closest('.sandpit-hotspot')
    if (row) show(row)
  })
}
