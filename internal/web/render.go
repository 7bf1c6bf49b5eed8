package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"text/template/parse"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// Renderer holds every page's template, parsed once at start.
type Renderer struct {
	pages map[string]*template.Template
}

// NewRenderer parses each pages/<resource>/<action>.html of fsys together
// with layouts/ and partials/. It fails when a page refers to a template that
// none of them defines, so a missing partial stops start-up rather than a
// request.
func NewRenderer(fsys fs.FS) (*Renderer, error) {
	shared, err := template.New("").Funcs(templateFuncs()).ParseFS(fsys, "layouts/*.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layouts and partials: %w", err)
	}
	files, err := fs.Glob(fsys, "pages/*/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: list pages: %w", err)
	}
	r := &Renderer{pages: make(map[string]*template.Template, len(files))}
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "pages/"), path.Ext(file))
		t, err := template.Must(shared.Clone()).ParseFS(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", file, err)
		}
		if err := checkReferences(t); err != nil {
			return nil, fmt.Errorf("web: page %s: %w", name, err)
		}
		r.pages[name] = t
	}
	return r, nil
}

// checkReferences reports the first {{template "x"}} in t's set that names a
// template the set does not define.
func checkReferences(t *template.Template) error {
	if t.Lookup("base") == nil || t.Lookup("content") == nil {
		return fmt.Errorf(`needs templates "base" and "content"`)
	}
	for _, tt := range t.Templates() {
		if tt.Tree == nil {
			continue
		}
		var missing string
		walk(tt.Tree.Root, func(n *parse.TemplateNode) {
			if missing == "" && t.Lookup(n.Name) == nil {
				missing = n.Name
			}
		})
		if missing != "" {
			return fmt.Errorf("template %q uses %q, which is not defined", tt.Name(), missing)
		}
	}
	return nil
}

// walk calls fn for every {{template}} node under n.
func walk(n parse.Node, fn func(*parse.TemplateNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, fn)
		}
	case *parse.TemplateNode:
		fn(n)
	case *parse.IfNode:
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.RangeNode:
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.WithNode:
		walk(n.List, fn)
		walk(n.ElseList, fn)
	}
}

// Pages lists the names of every page, e.g. "home/show".
func (r *Renderer) Pages() []string {
	names := make([]string, 0, len(r.pages))
	for name := range r.pages {
		names = append(names, name)
	}
	return names
}

// Render writes page with data to w. It renders into a buffer first, so a
// template error never sends half a page.
func (r *Renderer) Render(w io.Writer, page string, data any) error {
	t, ok := r.pages[page]
	if !ok {
		return fmt.Errorf("web: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", data); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// templateFuncs are the functions every template may call.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"field":       newInput,
		"optionLabel": sandpit.OptionLabel,
		"list":        func(items ...string) []string { return items },
		"date":        londonTime,
		"plural":      pluralOf,
		"minutes":     minutesFor,
		"email":       breakableEmail,
	}
}

// breakableEmail is an email address, escaped, that may wrap after its @
// rather than widen a table.
func breakableEmail(address string) template.HTML {
	return template.HTML(strings.Replace(template.HTMLEscapeString(address), "@", "@<wbr>", 1))
}

// londonTime is t as people in the UK read it: Europe/London, the zone
// named, such as "1 Dec 2026, 16:40 GMT" or "1 Jun 2026, 17:40 BST".
func londonTime(t time.Time) string { return t.In(sandpit.London).Format("2 Jan 2006, 15:04 MST") }

// pluralOf is the template function "plural", plural for a count of any
// kind: {{plural .Tasks "task" "tasks"}}.
func pluralOf(n any, one, many string) (string, error) {
	switch n := n.(type) {
	case int:
		return plural(n, one, many), nil
	case int64:
		return plural(int(n), one, many), nil
	case string: // a count already written out, as report views hold some
		if v, err := strconv.Atoi(n); err == nil {
			return plural(v, one, many), nil
		}
	}
	return "", fmt.Errorf("plural: %v is not a count", n)
}
