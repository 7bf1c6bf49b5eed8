// Trials: enhances the task screen and the report form. Both work without
// it: the task screen posts the point an image button sends, the report
// form takes the pin's position typed in.

// naturalPoint returns the point of event ev on element el in the image's
// own pixels, width by height, however the image is scaled.
function naturalPoint (ev, el, width, height) {
  const x = Math.floor(ev.offsetX * width / el.clientWidth)
  const y = Math.floor(ev.offsetY * height / el.clientHeight)
  return {
    x: Math.min(Math.max(x, 0), width - 1),
    y: Math.min(Math.max(y, 0), height - 1)
  }
}

// The task screen: the image fits the width of the window, or, on a
// narrow one, can be viewed at its actual size and panned; a click posts
// its point in image pixels as x and y either way. Activating the image
// from the keyboard gives no point: it offers the list of links instead.
const clickForm = document.querySelector('form[data-trial-click]')
if (clickForm) {
  const frame = clickForm.querySelector('[data-trial-frame]')
  const image = clickForm.querySelector('input[type="image"]')
  const width = Number(image.getAttribute('width'))
  const height = Number(image.getAttribute('height'))
  const sizeButton = document.querySelector('[data-screen-size]')
  const sizeKey = 'sandpit.screenSize'
  let actual = false
  try { actual = window.localStorage.getItem(sizeKey) === 'actual' } catch (e) {}

  const showSize = () => {
    frame.classList.toggle('sandpit-screen-frame--fluid', !actual)
    if (!sizeButton) return
    // Only offered when the screen is wider than the space for it.
    sizeButton.hidden = frame.clientWidth >= width
    sizeButton.textContent = actual ? 'Fit to width' : 'Actual size'
  }
  showSize()
  window.addEventListener('resize', showSize)
  if (sizeButton) {
    sizeButton.addEventListener('click', () => {
      actual = !actual
      try { window.localStorage.setItem(sizeKey, actual ? 'actual' : 'fit') } catch (e) {}
      showSize()
    })
  }

  let sent = false
  image.addEventListener('click', (ev) => {
    ev.preventDefault()
    // A keyboard press (Enter or Space) has no point: it is not a click.
    if (ev.detail === 0 || !image.clientWidth) {
      window.location.assign(image.dataset.listHref.replace('?', '?keyboard=1&'))
      return
    }
    if (sent) return
    sent = true
    const p = naturalPoint(ev, image, width, height)
    clickForm.elements.x.value = String(p.x)
    clickForm.elements.y.value = String(p.y)
    clickForm.submit()
  })

  // Landing on the screen after a click: move focus there too, so that
  // the next Tab goes on from the task's actions, not the top of the page;
  // with the list of links shown, to the list, whose heading names the
  // screen now shown.
  // The browser settles its own focus on the fragment as the page loads,
  // so this waits for the load.
  if (window.location.hash === '#screen') {
    window.addEventListener('load', () => setTimeout(() => {
      let target = document.getElementById('links')
      if (!target) {
        target = document.getElementById('screen')
        target.setAttribute('tabindex', '-1')
      }
      target.focus({ preventScroll: true })
    }, 0))
  }
}

// The report form: selecting the screen drops the pin there and fills in
// its position; typing a position moves the pin.
const pinFrame = document.querySelector('[data-pin-frame]')
const reportForm = document.querySelector('form[data-report-form]')
if (pinFrame && reportForm) {
  const image = pinFrame.querySelector('img')
  const pin = pinFrame.querySelector('.sandpit-pin')
  const width = Number(image.getAttribute('width'))
  const height = Number(image.getAttribute('height'))
  const xField = reportForm.elements.x
  const yField = reportForm.elements.y

  const showPin = () => {
    const x = parseInt(xField.value, 10)
    const y = parseInt(yField.value, 10)
    if (Number.isNaN(x) || Number.isNaN(y) || x < 0 || y < 0 || x >= width || y >= height) {
      pin.hidden = true
      return
    }
    pin.style.left = ((x + 0.5) * 100 / width) + '%'
    pin.style.top = ((y + 0.5) * 100 / height) + '%'
    pin.hidden = false
  }

  image.addEventListener('click', (ev) => {
    const p = naturalPoint(ev, image, width, height)
    xField.value = String(p.x)
    yField.value = String(p.y)
    showPin()
  })
  xField.addEventListener('input', showPin)
  yField.addEventListener('input', showPin)
  showPin()
}
