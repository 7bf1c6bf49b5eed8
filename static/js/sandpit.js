// Sandpit's page script: marks the page as scripted and starts the NHS.UK
// frontend's components. Pages work without it.
import { initAll } from '/static/vendor/nhsuk/nhsuk-frontend.min.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()
