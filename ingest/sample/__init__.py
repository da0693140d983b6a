"""A deterministic sample factory for Andon: three plants, MES/ERP/WMS/SCADA/PLM/APS extracts.

`generate_sample` writes an inbox in the formats real systems export, with a manifest of
deliberately bad rows and a ground truth that the warehouse must reproduce.
"""

from .generate import SampleResult, generate_sample

__all__ = ["SampleResult", "generate_sample"]
