/*
 * The buffer exporter of a zero-copy output sample for Python < 3.12, where
 * Python classes cannot export buffers (PEP 688). Python >= 3.12 uses the
 * pure-Python SampleBuffer of _sample.py; this type does the same in C: it
 * counts the views derived from it (memoryviews, numpy arrays, struct), and
 * once invalidated refuses new views with BufferError and runs its on_free
 * callback when the last view is released.
 *
 * Compiled on first use by dora._native (with the C compiler and this
 * Python's headers) into dora's cache folder.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

typedef struct {
    PyObject_HEAD
    PyObject *raw;     /* the object whose memory is exported */
    Py_buffer source;  /* a writable view of raw, held while valid or viewed */
    int has_source;
    Py_ssize_t views;  /* views exported and not yet released */
    int valid;
    PyObject *on_free; /* called once invalid and without views */
} Exporter;

static void
release_source(Exporter *self)
{
    if (self->has_source) {
        self->has_source = 0;
        PyBuffer_Release(&self->source);
    }
}

/* Runs (and forgets) on_free; the source view is given back first. */
static int
run_on_free(Exporter *self)
{
    release_source(self);
    PyObject *on_free = self->on_free;
    self->on_free = NULL;
    if (on_free == NULL || on_free == Py_None) {
        Py_XDECREF(on_free);
        return 0;
    }
    PyObject *r = PyObject_CallNoArgs(on_free);
    Py_DECREF(on_free);
    if (r == NULL) return -1;
    Py_DECREF(r);
    return 0;
}

static int
Exporter_init(Exporter *self, PyObject *args, PyObject *kwds)
{
    PyObject *raw;
    if (!PyArg_ParseTuple(args, "O:SampleBuffer", &raw)) return -1;
    if (self->has_source) {
        PyErr_SetString(PyExc_RuntimeError, "SampleBuffer is already initialised");
        return -1;
    }
    if (PyObject_GetBuffer(raw, &self->source, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0) {
        return -1;
    }
    self->has_source = 1;
    Py_INCREF(raw);
    self->raw = raw;
    self->valid = 1;
    self->views = 0;
    return 0;
}

static int
Exporter_getbuffer(Exporter *self, Py_buffer *view, int flags)
{
    if (!self->valid || !self->has_source) {
        PyErr_SetString(PyExc_BufferError,
                        "the sample was sent or dropped: its buffer is no longer valid");
        return -1;
    }
    if (PyBuffer_FillInfo(view, (PyObject *)self, self->source.buf, self->source.len, 0,
                          flags) < 0) {
        return -1;
    }
    self->views++;
    return 0;
}

static void
Exporter_releasebuffer(Exporter *self, Py_buffer *view)
{
    self->views--;
    if (self->views == 0 && !self->valid) {
        if (run_on_free(self) < 0) PyErr_WriteUnraisable((PyObject *)self);
    }
}

static PyObject *
Exporter_invalidate(Exporter *self, PyObject *args)
{
    PyObject *on_free = Py_None;
    if (!PyArg_ParseTuple(args, "|O:_invalidate", &on_free)) return NULL;
    self->valid = 0;
    Py_INCREF(on_free);
    Py_XSETREF(self->on_free, on_free);
    if (self->views == 0 && run_on_free(self) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *
Exporter_get_views(Exporter *self, void *closure)
{
    return PyLong_FromSsize_t(self->views);
}

static PyObject *
Exporter_get_valid(Exporter *self, void *closure)
{
    return PyBool_FromLong(self->valid);
}

static Py_ssize_t
Exporter_len(Exporter *self)
{
    return self->has_source ? self->source.len : 0;
}

static int
Exporter_traverse(Exporter *self, visitproc visit, void *arg)
{
    Py_VISIT(self->raw);
    Py_VISIT(self->on_free);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static int
Exporter_clear(Exporter *self)
{
    release_source(self);
    Py_CLEAR(self->raw);
    Py_CLEAR(self->on_free);
    return 0;
}

static void
Exporter_dealloc(Exporter *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Exporter_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyMethodDef Exporter_methods[] = {
    {"_invalidate", (PyCFunction)Exporter_invalidate, METH_VARARGS,
     "No new views from now on; on_free runs once no view is left."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Exporter_getset[] = {
    {"_views", (getter)Exporter_get_views, NULL, "views exported and not released", NULL},
    {"_valid", (getter)Exporter_get_valid, NULL, "whether new views are allowed", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef Exporter_members[] = {
    {"_raw", T_OBJECT, offsetof(Exporter, raw), READONLY, "the exported object"},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot Exporter_slots[] = {
    {Py_tp_doc, "A buffer exporter that counts its views (dora zero-copy samples)."},
    {Py_tp_init, Exporter_init},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_dealloc, Exporter_dealloc},
    {Py_tp_traverse, Exporter_traverse},
    {Py_tp_clear, Exporter_clear},
    {Py_tp_methods, Exporter_methods},
    {Py_tp_getset, Exporter_getset},
    {Py_tp_members, Exporter_members},
    {Py_sq_length, Exporter_len},
    {Py_bf_getbuffer, Exporter_getbuffer},
    {Py_bf_releasebuffer, Exporter_releasebuffer},
    {0, NULL},
};

static PyType_Spec Exporter_spec = {
    .name = "dora._sample_buffer.Exporter",
    .basicsize = sizeof(Exporter),
    .itemsize = 0,
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = Exporter_slots,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_sample_buffer", NULL, -1, NULL,
};

PyMODINIT_FUNC
PyInit__sample_buffer(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    PyObject *type = PyType_FromSpec(&Exporter_spec);
    if (type == NULL || PyModule_AddObject(m, "Exporter", type) < 0) {
        Py_XDECREF(type);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
