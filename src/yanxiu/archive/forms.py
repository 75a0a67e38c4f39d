from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MaterialKind

ACCEPT = ".pdf,.doc,.docx,.ppt,.pptx,.xls,.xlsx,.jpg,.jpeg,.png,.webp,.mp4,.mov"


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("资料名称"), max_length=120, required=False,
                            widget=forms.TextInput(attrs={"class": "form-control"}),
                            help_text=_("留空则使用文件名。"))
    kind = forms.ChoiceField(label=_("资料类型"), choices=MaterialKind.choices, initial=MaterialKind.SLIDES,
                             widget=forms.Select(attrs={"class": "form-select"}))
    file = forms.FileField(label=_("文件"), widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ACCEPT}),
                           help_text=_("PDF、Word、PowerPoint、Excel 文档，JPG、PNG、WebP 图片或 MP4、MOV 视频。"),
                           error_messages={"required": _("请选择要上传的文件。")})


class LibraryFilterForm(forms.Form):
    year = forms.IntegerField(label=_("学年"), required=False, min_value=2000, max_value=2100,
                              widget=forms.Select(attrs={"class": "form-select"}))
    kind = forms.ChoiceField(label=_("资料类型"), required=False, widget=forms.Select(attrs={"class": "form-select"}))
    group = forms.ChoiceField(label=_("分组"), required=False, choices=[("month", _("按月份")), ("project", _("按项目"))],
                              widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.choices = [(y, f"{y}-{y + 1}") for y in years]
        self.fields["kind"].choices = [("", _("全部类型")), *MaterialKind.choices]

    def values(self, default_year: int) -> tuple[int, str, str]:
        """The chosen year, kind and grouping; anything invalid falls back to the defaults."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data  # the fields that are valid, even when another is not
        return data.get("year") or default_year, data.get("kind") or "", data.get("group") or "month"
