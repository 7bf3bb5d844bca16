"""The ChatML chat template the package ships: the tiny test model's, and what a student trains
with under `--chat-template chatml` (its own owner, below both `tiny_model` and the trainers).
"""

from __future__ import annotations

# ChatML, as Qwen2.5/Qwen3 use it. `enable_thinking=false` closes an empty think block in the
# prompt (Qwen3's way of switching thinking off); `{% generation %}` marks assistant tokens.
CHATML_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'assistant' -%}"
    "{{ '<|im_start|>assistant\\n' }}{% generation %}{{ message['content'] + '<|im_end|>' }}{% endgeneration %}{{ '\\n' }}"
    "{%- else -%}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}"
    "{{ '<|im_start|>assistant\\n' }}"
    "{%- if enable_thinking is defined and enable_thinking is false -%}{{ '<think>\\n\\n</think>\\n\\n' }}{%- endif -%}"
    "{%- endif -%}"
)
