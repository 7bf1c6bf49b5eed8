package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/sandpit-nhs/sandpit/templates"
)

// The NHS content style list every message a person reads is held to.
// TestWording collects the messages three ways:
//
//   - form error sentences: every formSentences literal in this package's
//     source (read with go/parser), with the field error code each is for,
//     and the password sentences, by calling passwordSentences;
//   - messages of domain errors and other sentences: every string literal
//     in internal/sandpit, internal/app and this package that reads as a
//     sentence (a capital letter, then a space somewhere), which covers
//     sandpit.Errorf, sandpit.Invalid and sandpit.Conflict messages, flash
//     messages and page text built in Go;
//   - template text: the text between the actions of every template (tags
//     stripped), the string arguments of its actions (labels and hints),
//     and aria-label, alt and title attributes.
//
// Strings in internal/export, internal/store and internal/stats are not
// read: exports speak to researchers' software in column names, and the
// store's messages reach people only through the app's.

// userMessage is one user-facing string and where it was found.
type userMessage struct {
	where string
	code  string // the field error code of a form sentence, else ""
	text  string
}

var (
	keyWord = regexp.MustCompile(`(?i)\bkeys?\b`)
	// countNouns are nouns a number is often shown before.
	countNouns = `(?:attempts|ratings|clicks|misclicks|concerns|tasks|events|participants|findings|reports|screens|releases|trials|questionnaires|answers|clinicians|minutes|hotspots|workflows|teams|users|tokens|people)`
	// unguardedCount is a template action that prints a value, followed by
	// a plural noun, instead of {{plural …}}.
	unguardedCount = regexp.MustCompile(`\{\{-?\s*([.$][\w.$]*)\s*-?\}\}\s+(?:(?:successful|finished|new|open|safety)\s+)?` + countNouns + `\b`)
	// goCount is a number in a Go string followed by a plural noun; a
	// maximum ("at most {max} screens") is never 1.
	goCount  = regexp.MustCompile(`(?:%d|\{[a-z_]+\})\s+(?:[a-z]+\s+)?` + countNouns + `\b`)
	maxCount = regexp.MustCompile(`(?:at most|at least|up to|of)\s+(?:%d|\{max\}|\{min\})`)
	// doVerbs start a sentence that says what to do.
	doVerbs = regexp.MustCompile(`^(?:Describe|Delete|Enter|Choose|Select|Tick|Upload|Add|Give|Draw|Write|Remove|Sign in|Ask|Check|Try|Use|Make|Move|Fix|Pick|Set|Wait|Reload|Start|Open|Close|Publish|Replace|Create|Go|Answer|Say|Rate|Change|Contact)\b`)
	atMost  = regexp.MustCompile(`(?i)\bat most\b`)
	// thenDo is a statement followed by what to do: "…: remove some".
	thenDo = regexp.MustCompile(`[:;] (?:describe|delete|enter|choose|select|tick|upload|add|remove|create|use|try|ask|check|change)\b`)
	// isWrong says what must change about what was given.
	isWrong      = regexp.MustCompile(`\b(?:must|already|not|cannot)\b`)
	sentenceLike = regexp.MustCompile(`^[A-Z][^\n]* `)
)

func TestWording(t *testing.T) {
	forms := formMessages(t)
	if len(forms) < 50 {
		t.Fatalf("found only %d form sentences: the collector is broken", len(forms))
	}
	goStrings := goMessages(t, ".", "../sandpit", "../app")
	pages := templateMessages(t)
	if len(goStrings) < 100 || len(pages) < 200 {
		t.Fatalf("found %d Go sentences and %d template texts: the collector is broken", len(goStrings), len(pages))
	}
	all := append(append(append([]userMessage{}, forms...), goStrings...), pages...)

	t.Run("no keys", func(t *testing.T) {
		for _, m := range all {
			// Idempotency-Key is an HTTP header's name, in messages to API
			// clients that send it.
			if keyWord.MatchString(strings.ReplaceAll(m.text, "Idempotency-Key", "")) {
				t.Errorf("%s: %q says key: name the thing (a title, a short name) instead", m.where, m.text)
			}
		}
	})
	t.Run("a count is followed by the right plural", func(t *testing.T) {
		for _, m := range append(append([]userMessage{}, forms...), goStrings...) {
			if loc := goCount.FindStringIndex(m.text); loc != nil && !maxCount.MatchString(m.text[:loc[1]]) {
				t.Errorf("%s: %q puts a count before a plural noun: 1 needs the singular", m.where, m.text)
			}
		}
		for _, m := range templateSources(t) {
			for _, line := range strings.Split(m.text, "\n") {
				for _, hit := range unguardedCount.FindAllStringSubmatch(line, -1) {
					// {{if eq .N 1}}one{{else}}{{.N}} many{{end}} is guarded.
					if !strings.Contains(line, "{{if eq "+hit[1]+" 1}}") {
						t.Errorf("%s: %q: use {{plural n \"one\" \"many\"}}", m.where, hit[0])
					}
				}
			}
		}
	})
	t.Run("an empty field's error says what to enter", func(t *testing.T) {
		for _, m := range forms {
			if m.code != "FieldRequired" && m.code != "" {
				continue
			}
			if !doVerbs.MatchString(m.text) {
				t.Errorf("%s (%s): %q does not start by saying what to do (Enter…, Choose…, Select…, Upload…)", m.where, codeName(m.code), m.text)
			}
			if atMost.MatchString(m.text) {
				t.Errorf("%s (%s): %q talks of a limit to someone who entered nothing", m.where, codeName(m.code), m.text)
			}
		}
	})
	t.Run("a limit reads N characters or fewer", func(t *testing.T) {
		for _, m := range forms {
			if m.code == "FieldTooLong" && !strings.Contains(m.text, "characters or fewer") {
				t.Errorf("%s: %q: say \"… must be {max} characters or fewer\"", m.where, m.text)
			}
		}
	})
	t.Run("every form error is a sentence that says what to do or what is wrong", func(t *testing.T) {
		for _, m := range forms {
			if !doVerbs.MatchString(m.text) && !thenDo.MatchString(m.text) && !isWrong.MatchString(m.text) {
				t.Errorf("%s (%s): %q neither says what to do nor what must change", m.where, codeName(m.code), m.text)
			}
		}
	})
}

func codeName(code string) string {
	if code == "" {
		return "any code"
	}
	return code
}

// goFiles parses the non-test Go files of dir.
func goFiles(t *testing.T, dir string) map[string]*ast.File {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*ast.File{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = f
	}
	return files
}

// stringLit is the value of a string literal, or false.
func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// formMessages collects every sentence of every formSentences literal in
// this package, with its code (the constant's name, or "" for any code).
func formMessages(t *testing.T) []userMessage {
	var out []userMessage
	for name, f := range goFiles(t, ".") {
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if id, ok := lit.Type.(*ast.Ident); !ok || id.Name != "formSentences" {
				return true
			}
			for _, elt := range lit.Elts {
				field, inner := elt.(*ast.KeyValueExpr)
				if !inner {
					continue
				}
				fieldName, _ := stringLit(field.Key)
				table, ok := field.Value.(*ast.CompositeLit)
				if !ok {
					continue // a call, such as passwordSentences("Password"), collected below
				}
				for _, e := range table.Elts {
					kv := e.(*ast.KeyValueExpr)
					text, ok := stringLit(kv.Value)
					if !ok {
						continue
					}
					code := ""
					if sel, ok := kv.Key.(*ast.SelectorExpr); ok {
						code = sel.Sel.Name
					}
					out = append(out, userMessage{where: filepath.Base(name) + ": " + fieldName, code: code, text: text})
				}
			}
			return false
		})
	}
	codes := map[string]string{"required": "FieldRequired", "too_long": "FieldTooLong"}
	for code, text := range passwordSentences("Password") {
		name := codes[code]
		if name == "" {
			name = code
		}
		out = append(out, userMessage{where: "passwordSentences", code: name, text: text})
	}
	return out
}

// goMessages collects the string literals of dirs that read as sentences.
func goMessages(t *testing.T, dirs ...string) []userMessage {
	var out []userMessage
	for _, dir := range dirs {
		for name, f := range goFiles(t, dir) {
			ast.Inspect(f, func(n ast.Node) bool {
				if e, ok := n.(ast.Expr); ok {
					if s, ok := stringLit(e); ok && sentenceLike.MatchString(s) {
						out = append(out, userMessage{where: filepath.Join(filepath.Base(dir), filepath.Base(name)), text: s})
					}
				}
				return true
			})
		}
	}
	return out
}

var (
	htmlTags   = regexp.MustCompile(`<[^>]*>`)
	spaces     = regexp.MustCompile(`\s+`)
	attributes = regexp.MustCompile(`\b(?:aria-label|alt|title|placeholder)="([^"{]*)"`)
)

// templateSources are the templates' files as written.
func templateSources(t *testing.T) []userMessage {
	var out []userMessage
	err := fs.WalkDir(templates.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := fs.ReadFile(templates.FS, path)
		out = append(out, userMessage{where: path, text: string(b)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// templateMessages collects each template's text, the string arguments of
// its actions and its attributes people read.
func templateMessages(t *testing.T) []userMessage {
	funcs := map[string]any{}
	for name, fn := range templateFuncs() {
		funcs[name] = fn
	}
	for _, builtin := range []string{"and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len", "index", "printf", "print", "println", "slice", "html", "js", "urlquery", "call"} {
		funcs[builtin] = parseOnly
	}
	var out []userMessage
	for _, src := range templateSources(t) {
		trees, err := parse.Parse(src.where, src.text, "{{", "}}", funcs)
		if err != nil {
			t.Fatalf("%s: %v", src.where, err)
		}
		for _, tree := range trees {
			var walkNode func(n parse.Node)
			walkNode = func(n parse.Node) {
				switch n := n.(type) {
				case *parse.ListNode:
					if n != nil {
						for _, c := range n.Nodes {
							walkNode(c)
						}
					}
				case *parse.TextNode:
					raw := string(n.Text)
					for _, m := range attributes.FindAllStringSubmatch(raw, -1) {
						out = append(out, userMessage{where: src.where, text: m[1]})
					}
					if text := strings.TrimSpace(spaces.ReplaceAllString(htmlTags.ReplaceAllString(raw, " "), " ")); text != "" {
						out = append(out, userMessage{where: src.where, text: text})
					}
				case *parse.ActionNode:
					walkNode(n.Pipe)
				case *parse.PipeNode:
					if n != nil {
						for _, c := range n.Cmds {
							walkNode(c)
						}
					}
				case *parse.CommandNode:
					for _, a := range n.Args {
						walkNode(a)
					}
				case *parse.StringNode:
					if sentenceLike.MatchString(n.Text) || (len(n.Text) > 0 && n.Text[0] >= 'A' && n.Text[0] <= 'Z') {
						out = append(out, userMessage{where: src.where, text: n.Text})
					}
				case *parse.IfNode:
					walkNode(n.Pipe)
					walkNode(n.List)
					walkNode(n.ElseList)
				case *parse.RangeNode:
					walkNode(n.Pipe)
					walkNode(n.List)
					walkNode(n.ElseList)
				case *parse.WithNode:
					walkNode(n.Pipe)
					walkNode(n.List)
					walkNode(n.ElseList)
				case *parse.TemplateNode:
					walkNode(n.Pipe)
				case *parse.ChainNode:
					walkNode(n.Node)
				}
			}
			walkNode(tree.Root)
		}
	}
	return out
}

// parseOnly stands in for the builtins when templates are only parsed.
func parseOnly(...any) string { return "" }
